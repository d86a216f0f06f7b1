// "did you mean ...?" for mistyped names and ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

// Optimal string alignment distance (Levenshtein with transpositions).
int edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is close enough to be what was meant.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
// "a, b and c".
std::string and_list(const std::vector<std::string>& items);

} // namespace iop
