#include "iop/cli.hpp"

#include "commands/args_cli11.hpp"
#include "commands/command.hpp"
#include "commands/common.hpp"
#include "iop/error.hpp"
#include "iop/git.hpp"
#include "iop/parallel.hpp"
#include "iop/suggest.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>

#include <pwd.h>
#include <unistd.h>

namespace iop {

// Args and Arg (commands/args.hpp) over CLI11: each call is CLI11's own.

Args::Args(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Args::~Args() = default;

Arg* Args::added() {
    args_.push_back(Arg(*this, impl_->options.size() - 1));
    return &args_.back();
}

Arg* Args::add_option(const std::string& name, std::string& target, const std::string& help) {
    impl_->options.push_back(impl_->app.add_option(name, target, help));
    return added();
}

Arg* Args::add_option(const std::string& name, std::optional<std::string>& target,
                      const std::string& help) {
    impl_->options.push_back(impl_->app.add_option(name, target, help));
    return added();
}

Arg* Args::add_option(const std::string& name, std::vector<std::string>& target,
                      const std::string& help) {
    impl_->options.push_back(impl_->app.add_option(name, target, help));
    return added();
}

Arg* Args::add_option(const std::string& name, int& target, const std::string& help) {
    impl_->options.push_back(impl_->app.add_option(name, target, help));
    return added();
}

Arg* Args::add_option(const std::string& name, std::optional<int>& target,
                      const std::string& help) {
    impl_->options.push_back(impl_->app.add_option(name, target, help));
    return added();
}

Arg* Args::add_flag(const std::string& name, bool& target, const std::string& help) {
    impl_->options.push_back(impl_->app.add_flag(name, target, help));
    return added();
}

Arg* Arg::required() {
    args_->impl().options[index_]->required();
    return this;
}

Arg* Arg::type_name(const std::string& name) {
    args_->impl().options[index_]->type_name(name);
    return this;
}

Arg* Arg::check(const ValueCheck& check) {
    args_->impl().options[index_]->check(CLI::Validator(check, ""));
    return this;
}

Arg* Arg::transform(const ValueCheck& transform) {
    args_->impl().options[index_]->transform(CLI::Validator(transform, ""));
    return this;
}

Arg* Arg::excludes(Arg* other) {
    args_->impl().options[index_]->excludes(other->args_->impl().options[other->index_]);
    return this;
}

namespace {

struct GlobalOptions {
    std::optional<std::string> dir;
    std::optional<std::string> today;
    std::optional<std::string> format;
    std::string color = "auto";
    bool quiet = false;
    bool verbose = false;
    std::optional<std::string> wait; // seconds, as written
    std::optional<int> jobs;
};

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
}

Date system_today() {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    return Date{std::chrono::year{local.tm_year + 1900},
                std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
                std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

// A name git records as given (git's ident.c strips these characters from
// either end of a name, and refuses '<' and '>' anywhere).
constexpr std::size_t max_user_bytes = 64;

std::string require_user(const std::string& variable, const std::string& user) {
    std::string problem;
    if (auto p = free_text_problem(user, Lines::one))
        problem = *p;
    else if (user.size() > max_user_bytes)
        problem = fmt::format("is longer than {} bytes", max_user_bytes);
    else if (user.find_first_of("<>") != std::string::npos)
        problem = "holds '<' or '>', which git refuses in a name";
    else if (std::string_view crud = " \t.,:;\"\\'";
             crud.find(user.front()) != crud.npos || crud.find(user.back()) != crud.npos)
        problem = "begins or ends with a space or one of . , : ; \" \\ ', which git would "
                  "strip from the name";
    if (problem.empty())
        return user;
    throw UsageError(fmt::format("{}: '{}' {}; it names who recorded an entry", variable,
                                 excerpt(user), problem));
}

std::string login_name() {
    if (const char* u = env("IOP_USER"))
        return require_user("IOP_USER", u);
    if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name && *pw->pw_name)
        return pw->pw_name;
    for (const char* name : {"LOGNAME", "USER"})
        if (const char* u = env(name))
            return require_user(name, u);
    return "unknown";
}

std::string now_timestamp() {
    if (const char* fixed = env("IOP_NOW")) {
        if (!parse_timestamp(fixed))
            throw UsageError(fmt::format("IOP_NOW: '{}' is not a UTC timestamp like "
                                         "2026-11-03T17:02:11Z between {} and {}",
                                         excerpt(fixed), format_date(min_date),
                                         format_date(max_date)));
        return fixed;
    }
    return format_timestamp(std::chrono::system_clock::now());
}

// --wait: a plain decimal number of seconds (at most one decimal place), 0 to
// a day.
constexpr double max_wait_seconds = 86400;

double wait_seconds(const std::string& text) {
    auto v = parse_plain_decimal(text, 1);
    if (!v)
        throw UsageError(fmt::format("--wait '{}' is not a number of seconds like 5 or 0.5 (at "
                                     "most one decimal place)",
                                     excerpt(text)));
    if (*v > max_wait_seconds)
        throw UsageError(
            fmt::format("--wait {} is out of range: 0 to {} seconds", text, max_wait_seconds));
    return *v;
}

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : command_table())
        if (!c.group.empty()) // hidden commands (iop __complete) are never suggested
            names.push_back(c.name);
    return names;
}

std::vector<std::string> option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* a = &app; a; a = a->get_parent())
        for (const CLI::Option* opt : a->get_options()) {
            for (const auto& l : opt->get_lnames())
                names.push_back("--" + l);
            for (const auto& s : opt->get_snames())
                names.push_back("-" + s);
        }
    return names;
}

std::string help_hint(const CLI::App* sub) {
    return sub ? fmt::format("run 'iop {} --help' for usage", sub->get_name())
               : std::string("run 'iop --help' for usage");
}

// Extras CLI11 left over become a usage error with a suggestion.
void reject_extras(const CLI::App& app, const CLI::App* sub) {
    std::vector<std::string> extras = app.remaining(true);
    // CLI11 leaves the "--" that ends the options among the extras; the words
    // after it went to the positionals (`iop check -- ID`, `iop __complete -- ...`).
    extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
    if (extras.empty())
        return;
    const std::string& first = extras.front();
    const CLI::App& scope = sub ? *sub : app;
    if (first.size() > 1 && first[0] == '-') {
        std::string name = first.substr(0, first.find('='));
        throw UsageError(fmt::format("unknown option '{}'{}{}; {}", excerpt(name),
                                     sub ? fmt::format(" for 'iop {}'", sub->get_name()) : "",
                                     did_you_mean(name, option_names(scope)), help_hint(sub)));
    }
    if (!sub)
        throw UsageError(fmt::format("unknown command '{}'{}; {}", excerpt(first),
                                     did_you_mean(first, command_names()), help_hint(nullptr)));
    throw UsageError(fmt::format("unexpected argument '{}' for 'iop {}'; {}", excerpt(first),
                                 sub->get_name(), help_hint(sub)));
}

// `--weeks ''` would otherwise pass as if the option were left out: no
// option takes an empty value (positional words, such as the words the
// completion helper gets, may be empty). And an option takes one value a
// use: `--group AA --group NA P-0001` must not read the id as a third group.
void one_value_a_use(CLI::App& app) {
    static const CLI::Validator nonempty(
        [](std::string& value) {
            return value.empty()
                       ? std::string("an empty value; give a value or leave the option out")
                       : std::string();
        },
        "", "nonempty");
    for (CLI::Option* opt : app.get_options())
        if (opt->nonpositional() && opt->get_type_size_max() > 0) {
            opt->check(nonempty);
            opt->allow_extra_args(false);
        }
}

// CLI11's wording for a value of the wrong type, in iop's words.
std::string usage_message(const std::string& what) {
    static const std::string convert = "Could not convert: ";
    if (what.rfind(convert, 0) == 0) {
        auto eq = what.find(" = ", convert.size());
        if (eq != std::string::npos)
            return fmt::format("{} '{}' is not a number",
                               what.substr(convert.size(), eq - convert.size()),
                               excerpt(what.substr(eq + 3)));
    }
    if (auto at = what.find(": 1 required "); at != std::string::npos && what.size() > 8 &&
                                              what.compare(what.size() - 8, 8, " missing") == 0)
        return what.substr(0, at) + " needs a value";
    if (auto at = what.find(": At Most 1 required but received"); at != std::string::npos)
        return what.substr(0, at) + " is given more than once; give it once";
    // A validator's words (whole_number): "--weeks: 'ten' is not ..."
    if (auto at = what.find(": '");
        what.rfind("--", 0) == 0 && at != std::string::npos && what.find(' ') == at + 1)
        return excerpt(what.substr(0, at) + what.substr(at + 1), 200);
    return excerpt(what, 200); // CLI11's own words may quote a value
}

const CommandSpec* find_spec(const std::string& name) {
    for (const auto& c : command_table())
        if (c.name == name)
            return &c;
    return nullptr;
}

bool is_tty(int fd) {
    return ::isatty(fd) == 1;
}

void resolve(Context& ctx, const GlobalOptions& g, const CommandSpec& spec) {
    // Without --format, a command writes its first format (export: json).
    const std::string given = g.format ? *g.format : std::string(to_string(spec.formats.front()));
    auto fmt_value = require_choice("--format", given, {"text", "json", "csv", "fhir", "html"});
    ctx.format = fmt_value == "json"   ? Format::json
                 : fmt_value == "csv"  ? Format::csv
                 : fmt_value == "fhir" ? Format::fhir
                 : fmt_value == "html" ? Format::html
                                       : Format::text;
    if (std::find(spec.formats.begin(), spec.formats.end(), ctx.format) == spec.formats.end()) {
        std::vector<std::string> ok;
        for (Format f : spec.formats)
            ok.emplace_back(to_string(f));
        throw UsageError(fmt::format("'iop {}' does not support --format {}; it supports: {}",
                                     spec.name, fmt_value, join(ok)));
    }
    auto color = require_choice("--color", g.color, {"auto", "always", "never"});
    bool use_color =
        color == "always" || (color == "auto" && is_tty(STDOUT_FILENO) && !env("NO_COLOR") &&
                              !(env("TERM") && std::string_view(env("TERM")) == "dumb"));
    ctx.style = Style(use_color);
    if (g.today)
        ctx.today = parse_date_option("--today", *g.today);
    else if (const char* t = env("IOP_TODAY"))
        ctx.today = parse_date_option("IOP_TODAY:", t);
    else
        ctx.today = system_today();
    ctx.wait_seconds = g.wait ? wait_seconds(*g.wait) : 5;
    git::timeout_seconds(); // a bad $IOP_GIT_TIMEOUT is refused before anything is written
    if (g.jobs && (*g.jobs < 1 || *g.jobs > 1024))
        throw UsageError(fmt::format("--jobs {} is out of range: 1 to 1024 threads", *g.jobs));
    ctx.jobs = g.jobs ? static_cast<unsigned>(*g.jobs) : available_cores();
    ctx.quiet = g.quiet;
    ctx.verbose = g.verbose;
    ctx.dir_option = g.dir;
    ctx.env_dir = env("IOP_DIR");
    std::error_code ec;
    ctx.cwd = std::filesystem::current_path(ec);
    if (spec.access == Access::write) {
        ctx.user = login_name();
        ctx.now = now_timestamp();
    }
    ctx.stderr_tty = is_tty(STDERR_FILENO);
}

} // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"iop: treatment plans of Intensive Outpatient Programs (IOP) for addiction and "
                 "chemical dependency",
                 "iop"};
    app.set_version_flag("--version", std::string("iop ") + IOP_VERSION,
                         "Print the version and exit");
    app.allow_extras(); // reported by reject_extras, with suggestions
    app.fallthrough();  // global options work after the command too
    // A global option given twice: the last wins, so an alias or $IOP_* wrapper
    // can be overridden on the command line.
    app.footer("Records directory: --dir, else $IOP_DIR, else the nearest directory upwards "
               "holding program.toml.\nExit status: 0 ok, 1 refused or findings, 2 usage, 3 bad "
               "data, 4 I/O, 75 locked.\nSee iop(1) and docs/ for more.");

    GlobalOptions g;
    app.add_option("-C,--dir", g.dir, "Records directory")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->type_name("DIR");
    app.add_option("--today", g.today, "Take this date as today (else $IOP_TODAY, else the clock)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->type_name("YYYY-MM-DD");
    app.add_option("--format", g.format,
                   "Output format: text, json, csv where it fits; fhir for export; html for show")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->type_name("FORMAT");
    app.add_option("--color", g.color, "Colour: auto, always or never (honours NO_COLOR)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->type_name("WHEN");
    app.add_flag("-q,--quiet", g.quiet, "Print nothing on success but results");
    app.add_flag("-v,--verbose", g.verbose,
                 "Notes on stderr about what iop did behind the scenes (the record cache)");
    app.add_option("--wait", g.wait, "Seconds to wait for the lock of another iop (default 5)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->type_name("SECONDS");
    app.add_option("--jobs", g.jobs, "Threads that read records (default: one a CPU core)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->transform(CLI::Validator(whole_number(), ""))
        ->type_name("N");

    std::map<std::string, Runner> runners;
    for (const auto& spec : command_table()) {
        CLI::App* sub = app.add_subcommand(spec.name, spec.summary);
        sub->group(spec.group);
        if (!spec.example.empty())
            sub->footer("Example:\n  " + spec.example);
        Args args(std::make_unique<Args::Impl>(Args::Impl{*sub, {}}));
        runners[spec.name] = spec.setup(args);
        one_value_a_use(*sub);
    }
    one_value_a_use(app);

    const CLI::App* sub = nullptr;
    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::Success& e) {
            return app.exit(e, out, err);
        } catch (const CLI::ParseError& e) {
            auto subs = app.get_subcommands();
            const CLI::App* failed = subs.empty() ? nullptr : subs.front();
            // A mistyped option is the likelier cause of, say, a missing
            // required one (`--knd group`): name it first, with a suggestion.
            reject_extras(app, failed);
            throw UsageError(fmt::format("{}; {}", usage_message(e.what()), help_hint(failed)));
        }
        auto subs = app.get_subcommands();
        sub = subs.empty() ? nullptr : subs.front();
        reject_extras(app, sub);
        if (!sub)
            throw UsageError(fmt::format("no command given; the commands are: {}; run 'iop "
                                         "--help' for what each does",
                                         join(command_names())));
        const CommandSpec* spec = find_spec(sub->get_name());
        Context ctx;
        ctx.out = &out;
        ctx.err = &err;
        resolve(ctx, g, *spec);
        ctx.lock_on_open = spec->access == Access::write;
        int code = runners.at(spec->name)(ctx);
        out.flush();
        // The one place a write becomes a git commit (docs/git.md): after the
        // files are durably written, while the directory lock is still held.
        if (Store* store = ctx.opened_store())
            store->commit_history(ctx.now);
        return code;
    } catch (const Error& e) {
        out.flush();
        // Defence in depth: whatever a message quotes reaches no terminal raw.
        err << "iop: error: " << escaped(e.what(), Lines::many) << '\n';
        return e.code();
    } catch (const std::exception& e) {
        out.flush();
        err << "iop: error: " << escaped(e.what(), Lines::many) << '\n';
        return exit_io;
    }
}

} // namespace iop
