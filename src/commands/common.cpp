#include "commands/common.hpp"

#include "iop/git.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iop {

Store& Context::store() {
    if (!store_) {
        store_.emplace(Store::discover(dir_option, env_dir, cwd));
        if (lock_on_open)
            lock_.emplace(store_->lock(wait_seconds));
    }
    return *store_;
}

Date parse_date_option(std::string_view option, const std::string& value) {
    auto d = parse_date(value);
    if (!d)
        throw UsageError(fmt::format("{} '{}' is not a valid date: expected YYYY-MM-DD", option,
                                     excerpt(value)));
    if (!plausible_date(*d))
        throw UsageError(fmt::format("{} {} is out of range: dates are {} to {}", option, value,
                                     format_date(min_date), format_date(max_date)));
    return *d;
}

std::string require_choice(std::string_view option, const std::string& value,
                           const std::vector<std::string>& choices) {
    for (const auto& c : choices)
        if (c == value)
            return value;
    throw UsageError(fmt::format("{} '{}' is not valid{}; valid values: {}", option, excerpt(value),
                                 did_you_mean(value, choices), join(choices)));
}

std::string require_text(std::string_view option, const std::string& value, Lines lines) {
    if (value.empty())
        return value;
    std::string text;
    if (lines == Lines::many) { // a spreadsheet's CRLF in a cell is a line break
        text.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i)
            if (!(value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n'))
                text += value[i];
    } else {
        text = value;
    }
    if (auto problem = free_text_problem(text, lines))
        throw UsageError(fmt::format("{} {}", option, *problem));
    return text;
}

std::string require_item(std::string_view option, const std::string& value) {
    if (auto problem = list_item_problem(value))
        throw UsageError(fmt::format("{} {}", option, *problem));
    return value;
}

const CLI::Validator& whole_number() {
    static const CLI::Validator check(
        [](std::string& value) {
            if (value.empty())
                return std::string(); // one_value_a_use's check says so
            std::size_t sign = !value.empty() && value[0] == '-' ? 1 : 0;
            std::size_t first = value.find_first_not_of('0', sign);
            bool digits = value.size() > sign && value.size() - sign <= 9 &&
                          std::all_of(value.begin() + static_cast<std::ptrdiff_t>(sign),
                                      value.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits)
                return fmt::format("'{}' is not a whole number like 12", excerpt(value));
            value = first == std::string::npos ? "0" : value.substr(0, sign) + value.substr(first);
            return std::string();
        },
        "", "whole number");
    return check;
}

int plan_bound(const Program& p, std::string_view key, int value, Naming naming) {
    int lo = 0, hi = max_sessions_per_week;
    if (key == "weeks") {
        lo = p.weeks.min;
        hi = p.weeks.max;
    } else if (key == "groups_per_week") {
        lo = p.groups_per_week.min;
        hi = p.groups_per_week.max;
    }
    if (value < lo || value > hi)
        throw UsageError(fmt::format("{} {} is outside the program's bounds {}..{}",
                                     value_name(naming, key), value, lo, hi));
    return value;
}

LoadedRecord load_active(Context& ctx, const std::string& id) {
    Store& store = ctx.store();
    LoadedRecord loaded;
    loaded.record = store.load(id, &loaded.text);
    require_active(loaded.record, store.program());
    return loaded;
}

Date entry_date(const Context& ctx, const Record& record, const std::optional<std::string>& date) {
    return entry_date(record, ctx.today, date, Naming::option);
}

void append_entry(Context& ctx, const LoadedRecord& loaded, Entry entry) {
    EntryMeta& m = meta(entry);
    m.recorded_by = ctx.user;
    m.recorded_at = ctx.now;
    Store& store = ctx.store();
    const std::string& id = loaded.record.header.id;
    const std::string content = Store::appended(loaded.text, render_entry(entry));
    // Never write a file iop could not read back.
    Record after = parse_record(content, Store::shown_path(id));
    if (after.journal.size() != loaded.record.journal.size() + 1)
        throw IoError(fmt::format("internal error: the entry for {} did not read back; nothing "
                                  "was written",
                                  Store::shown_path(id)));
    store.replace_record(id, content);
    store.describe_change(git::entry_subject(id, entry));
}

void confirm(Context& ctx, const std::string& line) {
    if (!ctx.quiet)
        *ctx.out << line << '\n';
}

} // namespace iop
