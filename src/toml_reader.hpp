// Typed, position-aware reading of a toml::table for program and record
// loading: every error names the file, line and column.
#pragma once

#include "iop/date.hpp"
#include "iop/error.hpp"
#include "iop/text.hpp"

#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

SourcePos position_of(const toml::node& node);
SourcePos position_of(const toml::source_region& region);

// A date-time as toml++ prints it (2026-11-03T17:02:11Z), made faster.
std::string format_date_time(const toml::date_time& dt);

// Parses TOML text; a syntax error becomes DataError at its position.
toml::table parse_toml(std::string_view text, const std::string& file);

class TableReader {
  public:
    // `where` names the table in messages, e.g. "[plan]" or "[[session]]"; empty for the root.
    TableReader(const toml::table& table, const std::string& file, std::string where = {});

    std::optional<long long> integer(std::string_view key) const;
    std::optional<double> number(std::string_view key) const; // integer or float
    std::optional<std::string> string(std::string_view key) const;
    // A string by the free-text rule (SPEC section 11): DataError naming the
    // key and the problem, never the text. An empty string passes (an
    // optional field left empty); a required one checks that itself.
    std::optional<std::string> text(std::string_view key, Lines lines = Lines::one) const;
    // An array of one-line texts, none of them empty (list_item_problem).
    std::optional<std::vector<std::string>> texts(std::string_view key) const;
    // A date, within plausible_date.
    std::optional<Date> date(std::string_view key) const;
    std::optional<bool> boolean(std::string_view key) const;
    std::optional<std::vector<std::string>> strings(std::string_view key) const;
    const toml::table* table(std::string_view key) const;
    // An array of tables ([[key]]), empty when absent.
    std::vector<const toml::table*> tables(std::string_view key) const;
    // A date-time kept as written (recorded_at), checked to be a date-time
    // whose date is plausible_date.
    std::optional<std::string> datetime_text(std::string_view key) const;
    // The local date of that date-time (a date-time without an offset is
    // local already); nullopt when absent.
    std::optional<Date> local_day(std::string_view key) const;

    long long require_integer(std::string_view key) const;
    std::string require_string(std::string_view key) const;
    Date require_date(std::string_view key) const;

    // An integer within [lo, hi], or nullopt when absent.
    std::optional<int> bounded(std::string_view key, long long lo, long long hi) const;

    // A file's schema_version: present, at least 1 and at most `supported`
    // (DataError saying to upgrade iop for a newer one).
    void require_schema_version(long long supported) const;

    // Throws for the first key not in `known`, suggesting the nearest.
    void reject_unknown(std::initializer_list<std::string_view> known) const;

    [[noreturn]] void fail(std::string_view key, const std::string& message) const;
    [[noreturn]] void fail_here(const std::string& message) const;
    SourcePos pos() const { return position_of(table_); }
    SourcePos pos(std::string_view key) const;
    const std::string& file() const { return file_; }
    std::string name(std::string_view key) const; // "key" or "[plan].key"
    // The value of a key that may have more than one type, or nullptr.
    const toml::node* node(std::string_view key) const { return get(key); }

  private:
    const toml::node* get(std::string_view key) const;
    [[noreturn]] void type_error(std::string_view key, std::string_view expected) const;

    const toml::table& table_;
    const std::string& file_;
    std::string where_;
};

} // namespace iop
