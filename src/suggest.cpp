#include "iop/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace iop {

int edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = static_cast<int>(j);
    // Case-insensitive throughout, transpositions included.
    auto same = [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    };
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            int cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
    if (word.empty() || word.size() > 256)
        return std::nullopt;
    const std::string* best = nullptr;
    int best_distance = 0;
    for (const auto& c : candidates) {
        if (c.size() > 256)
            continue;
        int dist = edit_distance(word, c);
        if (!best || dist < best_distance) {
            best = &c;
            best_distance = dist;
        }
    }
    if (!best)
        return std::nullopt;
    // Close enough: at most a third of the longer word differs (at least 1, at most 3).
    int limit = std::clamp(static_cast<int>(std::max(word.size(), best->size()) / 3), 1, 3);
    if (best_distance > limit || best_distance == 0)
        return best_distance == 0 && *best != word ? std::optional<std::string>(*best)
                                                   : std::nullopt;
    return *best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto c = closest(word, candidates);
    return c ? " (did you mean '" + *c + "'?)" : "";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += separator;
        out += items[i];
    }
    return out;
}

std::string and_list(const std::vector<std::string>& items) {
    if (items.size() <= 1)
        return items.empty() ? "" : items[0];
    std::vector<std::string> head(items.begin(), items.end() - 1);
    return join(head) + " and " + items.back();
}

} // namespace iop
