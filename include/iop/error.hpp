// Typed errors, thrown anywhere and caught once in cli::run, which prints
// "iop: error: ..." and exits with the code the SPEC gives (section 9).
#pragma once

#include <stdexcept>
#include <string>

namespace iop {

enum ExitCode : int {
    exit_ok = 0,
    exit_refused = 1,  // the command ran and found or refused something
    exit_usage = 2,    // unknown option, bad value, no records directory
    exit_data = 3,     // a record, the program or an import input is malformed
    exit_io = 4,       // could not read or write
    exit_locked = 75,  // the directory is locked by another iop
};

class Error : public std::runtime_error {
  public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

struct UsageError : Error {
    explicit UsageError(const std::string& m) : Error(exit_usage, m) {}
};
struct Refused : Error {
    explicit Refused(const std::string& m) : Error(exit_refused, m) {}
};
struct IoError : Error {
    explicit IoError(const std::string& m) : Error(exit_io, m) {}
};
struct LockedError : Error {
    explicit LockedError(const std::string& m) : Error(exit_locked, m) {}
};

// A position in a file, 1-based; 0 means unknown.
struct SourcePos {
    int line = 0;
    int column = 0;
    bool operator==(const SourcePos&) const = default;
};

// Bad data at a known place: rendered as "FILE:LINE:COL: message".
class DataError : public Error {
  public:
    DataError(std::string file, SourcePos pos, std::string detail);
    const std::string& file() const { return file_; }
    SourcePos pos() const { return pos_; }
    const std::string& detail() const { return detail_; }

  private:
    std::string file_;
    SourcePos pos_;
    std::string detail_;
};

// "FILE", "FILE:LINE" or "FILE:LINE:COL", whichever is known.
std::string format_location(const std::string& file, SourcePos pos);

} // namespace iop
