// Rendering for people and programs: text styles, JSON (nlohmann::json) and
// CSV. Commands build values here rather than formatting by hand.
#pragma once

#include "iop/csv.hpp"
#include "iop/engine.hpp"
#include "iop/record.hpp"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace iop {

enum class Format { text, json, csv, fhir }; // fhir: export only
std::string_view to_string(Format);

// ANSI styles, or plain text when colour is off.
class Style {
  public:
    explicit Style(bool enabled) : enabled_(enabled) {}
    bool enabled() const { return enabled_; }
    std::string bold(std::string_view s) const { return wrap("1", s); }
    std::string dim(std::string_view s) const { return wrap("2", s); }
    std::string red(std::string_view s) const { return wrap("31", s); }
    std::string yellow(std::string_view s) const { return wrap("33", s); }
    std::string green(std::string_view s) const { return wrap("32", s); }

  private:
    std::string wrap(std::string_view code, std::string_view s) const;
    bool enabled_;
};

// JSON values of the record types, with the keys the record files use.
nlohmann::json to_json(const Plan& plan);
nlohmann::json to_json(const Header& header);
nlohmann::json to_json(const Entry& entry);

nlohmann::json to_json(const Finding& finding, const std::string& file);

// A patient in the shape of `check --format json` (SPEC section 6), with the
// details `show` needs (header, weekly grid, criteria, medications) added.
nlohmann::json assessment_json(const Record& record, const Assessment& assessment);
// A record that could not be loaded, in the same shape.
nlohmann::json invalid_record_json(const std::string& id, const DataError& error);

// "patients/P-0001.toml: error: week 3 had ... [group-frequency]", with
// ":LINE:COL" after the file name where the position is known.
std::string finding_line(const std::string& file, const Finding& finding, const Style& style);

// Compact JSON on one line, then a newline; UTF-8 kept as is.
void write_json(std::ostream& out, const nlohmann::json& value);

// One CSV row (RFC 4180, CRLF-free: rows end with "\n"). Cells that a
// spreadsheet would run as a formula ('=', '+', '-', '@', tab, CR) are
// prefixed with "'".
std::string csv_row(const std::vector<std::string>& cells); // cells by csv_cell (csv.hpp)

// Pads `s` with spaces to `width` display columns (UTF-8 aware).
std::string pad(std::string_view s, std::size_t width);
std::size_t display_width(std::string_view s);

} // namespace iop
