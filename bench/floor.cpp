// iop_parse_floor: the parse-only floor of the benchmark (bench/run).
//
//   iop_parse_floor DIR
//
// Reads and parses every DIR/patients/*.toml with toml++, single-threaded,
// and does nothing else with them: no validation, no engine, no output but a
// count. Any toml++-based tool reading these files one after another costs at
// least this much; `iop check` must beat it by reading on every core.
#include <toml++/toml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: iop_parse_floor DIR\n");
        return 2;
    }
    namespace fs = std::filesystem;
    std::size_t files = 0, tables = 0, failed = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(argv[1]) / "patients")) {
        if (entry.path().extension() != ".toml")
            continue;
        std::ifstream in(entry.path(), std::ios::binary | std::ios::ate);
        std::string text(static_cast<std::size_t>(in.tellg()), '\0');
        in.seekg(0);
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        try {
            toml::table t = toml::parse(text, entry.path().string());
            for (const char* key : {"session", "screen", "medication", "event"})
                if (const toml::array* a = t[key].as_array())
                    tables += a->size();
        } catch (const toml::parse_error&) {
            ++failed;
        }
        ++files;
    }
    std::printf("%zu files, %zu journal tables, %zu unparsable\n", files, tables, failed);
    return failed ? 1 : 0;
}
