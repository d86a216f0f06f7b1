#include "iop/error.hpp"

#include <fmt/format.h>

namespace iop {

std::string format_location(const std::string& file, SourcePos pos) {
    if (pos.line <= 0)
        return file;
    if (pos.column <= 0)
        return fmt::format("{}:{}", file, pos.line);
    return fmt::format("{}:{}:{}", file, pos.line, pos.column);
}

DataError::DataError(std::string file, SourcePos pos, std::string detail)
    : Error(exit_data, format_location(file, pos) + ": " + detail), file_(std::move(file)),
      pos_(pos), detail_(std::move(detail)) {}

} // namespace iop
