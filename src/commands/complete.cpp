// `iop __complete -- WORD...`: the one place that knows what to complete, for
// the three scripts in completions/ (bash, zsh, fish).
//
// The WORDs are the command line after `iop`, as the shell split it; the last
// one is the word being completed (possibly empty). The helper prints one
// candidate a line, "WORD" or "WORD<TAB>DESCRIPTION", and leaves matching
// against the typed prefix to the shell (so its matcher settings apply). A
// line ":files" or ":dirs" asks the shell for its own file or directory
// completion instead.
//
// Everything is derived from the CLI11 app and the command table: commands,
// their options, which options take a value, positionals, and each command's
// output formats. Values are chosen by the option's type name (ID, TOPIC,
// KIND, ...); the enumerations come from the record and engine modules that
// validate them. Patient ids come from the records directory found as every
// command finds it (-C/--dir on the line, else $IOP_DIR, else upwards from the
// current directory); topic ids from its program.toml.
//
// The helper is hidden from help (its group is empty), takes no lock, never
// prints an error for a line it cannot make sense of, and exits 0.
#include "commands/args_cli11.hpp"
#include "commands/command.hpp"

#include "iop/audit.hpp"
#include "iop/engine.hpp"
#include "iop/record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

namespace iop {

namespace {

struct Candidate {
    std::string word;
    std::string description;
};

// Removes one level of shell quoting ('..', "..", backslashes) and expands a
// leading ~ of an unquoted word, as the shell will when it runs the command.
// Used for the -C/--dir value only, which names a directory to read.
std::string shell_word(const std::string& raw) {
    std::string out;
    std::size_t i = 0;
    if (!raw.empty() && raw[0] == '~' && (raw.size() == 1 || raw[1] == '/')) {
        if (const char* home = std::getenv("HOME"); home && *home) {
            out = home;
            i = 1;
        }
    }
    char quote = 0;
    for (; i < raw.size(); ++i) {
        char c = raw[i];
        if (quote == '\'') {
            if (c == '\'')
                quote = 0;
            else
                out += c;
        } else if (quote == '"') {
            if (c == '"')
                quote = 0;
            else if (c == '\\' && i + 1 < raw.size() &&
                     std::string_view("\"\\$`").find(raw[i + 1]) != std::string_view::npos)
                out += raw[++i];
            else
                out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '\\' && i + 1 < raw.size()) {
            out += raw[++i];
        } else {
            out += c;
        }
    }
    return out;
}

std::string one_line(std::string text) {
    if (auto nl = text.find('\n'); nl != std::string::npos)
        text.erase(nl);
    std::replace(text.begin(), text.end(), '\t', ' ');
    return text;
}

bool is_hidden(const CLI::App* sub) {
    return sub->get_group().empty();
}

std::vector<const CLI::App*> subcommands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App*) { return true; });
}

bool takes_value(const CLI::Option* opt) {
    return opt->get_expected_max() > 0 && opt->get_type_size_max() > 0; // flags expect 0
}

// Can be given again (repeatable options, e.g. --group, --rule).
bool repeatable(const CLI::Option* opt) {
    return opt->get_expected_max() > 1;
}

// "ID..." and "ID ..." name the same kind of value as "ID".
std::string value_kind(const CLI::Option* opt) {
    std::string t = opt->get_type_name();
    while (!t.empty() && (t.back() == '.' || t.back() == ' '))
        t.pop_back();
    return t;
}

// The option named by an argument (`--name`, `--name=value`, `-C`, `-Cvalue`),
// looked up in the subcommand and then in the app (global options work after
// the command too). `inline_value` tells whether the value is in the word.
const CLI::Option* find_option(const CLI::App* root, const CLI::App* sub, const std::string& word,
                               bool& inline_value) {
    inline_value = false;
    std::string name = word;
    bool is_long = word.rfind("--", 0) == 0;
    if (is_long) {
        if (auto eq = word.find('='); eq != std::string::npos) {
            name = word.substr(0, eq);
            inline_value = true;
        }
    } else if (word.size() > 2) {
        name = word.substr(0, 2);
        inline_value = true;
    }
    for (const CLI::App* scope : {sub, root}) {
        if (!scope)
            continue;
        for (const CLI::Option* opt : scope->get_options()) {
            if (!opt->nonpositional())
                continue;
            if (is_long) {
                for (const auto& l : opt->get_lnames())
                    if (name == "--" + l)
                        return opt;
            } else {
                for (const auto& s : opt->get_snames())
                    if (name == "-" + s)
                        return opt;
            }
        }
    }
    return nullptr;
}

class Completer {
  public:
    Completer(const CLI::App& root, Context& ctx) : root_(root), ctx_(ctx) {}

    std::vector<Candidate> complete(const std::vector<std::string>& words) {
        if (words.empty())
            return commands();
        std::string cur = words.back();
        const CLI::Option* pending = scan({words.begin(), words.end() - 1});
        if (lost_)
            return {};
        if (pending)
            return values(pending, "");
        if (!positional_only_ && cur.rfind("--", 0) == 0 && cur.find('=') != std::string::npos) {
            bool inline_value = false;
            const CLI::Option* opt = find_option(&root_, sub_, cur, inline_value);
            if (!opt || !takes_value(opt))
                return {};
            return values(opt, cur.substr(0, cur.find('=') + 1));
        }
        if (!positional_only_ && !cur.empty() && cur[0] == '-')
            return options();
        if (!sub_)
            return commands();
        if (const CLI::Option* pos = next_positional())
            return values(pos, "");
        return cur.empty() ? options() : std::vector<Candidate>{};
    }

  private:
    // Reads the words before the current one: the command, the options used,
    // the positionals given, the records directory. Returns the option whose
    // value the current word is, if any.
    const CLI::Option* scan(const std::vector<std::string>& words) {
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::string& w = words[i];
            if (!positional_only_ && w == "--") {
                positional_only_ = true;
                continue;
            }
            if (!positional_only_ && w.size() > 1 && w[0] == '-') {
                bool inline_value = false;
                const CLI::Option* opt = find_option(&root_, sub_, w, inline_value);
                if (!opt)
                    continue;
                used_.insert(opt);
                if (!takes_value(opt))
                    continue;
                std::string value;
                if (inline_value)
                    value = w.substr(w.rfind("--", 0) == 0 ? w.find('=') + 1 : 2);
                else if (i + 1 < words.size())
                    value = words[++i];
                else
                    return opt;
                if (opt->check_lname("dir"))
                    dir_ = shell_word(value);
                continue;
            }
            if (!sub_) {
                for (const CLI::App* s : subcommands(root_))
                    if (s->get_name() == w)
                        sub_ = s;
                if (!sub_) {
                    lost_ = true; // not a command: nothing sensible to offer
                    return nullptr;
                }
                for (const auto& c : command_table())
                    if (c.name == w)
                        spec_ = &c;
            } else {
                given_.push_back(w);
            }
        }
        return nullptr;
    }

    std::vector<Candidate> commands() const {
        std::vector<Candidate> out;
        for (const CLI::App* s : subcommands(root_))
            if (!is_hidden(s))
                out.push_back({s->get_name(), one_line(s->get_description())});
        return out;
    }

    std::vector<Candidate> options() const {
        std::vector<Candidate> out;
        auto add = [&](const CLI::Option* opt) {
            if (used_.count(opt) && !repeatable(opt))
                return;
            for (const CLI::Option* other : opt->get_excludes()) // --absent, --excused
                if (used_.count(other))
                    return;
            std::string desc = one_line(opt->get_description());
            for (const auto& l : opt->get_lnames())
                out.push_back({"--" + l, desc});
            for (const auto& s : opt->get_snames())
                out.push_back({"-" + s, desc});
        };
        if (sub_) {
            for (const CLI::Option* opt : sub_->get_options())
                if (opt->nonpositional())
                    add(opt);
        }
        for (const CLI::Option* opt : root_.get_options()) {
            if (!opt->nonpositional())
                continue;
            // After a command, its own --help applies and --version makes no sense.
            if (sub_ && (opt == root_.get_help_ptr() || opt == root_.get_version_ptr()))
                continue;
            add(opt);
        }
        return out;
    }

    // The positional the current word fills: the next one not yet given; a
    // positional taking several values (check's ids) takes every later word.
    const CLI::Option* next_positional() const {
        std::size_t seen = 0;
        for (const CLI::Option* opt : sub_->get_options()) {
            if (!opt->get_positional() || opt->nonpositional())
                continue;
            int max = opt->get_items_expected_max();
            if (max > 1 || max < 0)
                return opt;
            if (seen == given_.size())
                return opt;
            ++seen;
        }
        return nullptr;
    }

    std::vector<Candidate> values(const CLI::Option* opt, const std::string& prefix) {
        std::vector<Candidate> out;
        for (auto& c : values_of(opt)) {
            if (c.word.rfind(':', 0) != 0)
                c.word = prefix + c.word;
            out.push_back(std::move(c));
        }
        return out;
    }

    std::vector<Candidate> values_of(const CLI::Option* opt) {
        std::string kind = value_kind(opt);
        if (kind == "ID") {
            std::vector<Candidate> out;
            if (spec_ && spec_->name == "enroll" && opt->get_positional())
                return out; // a new id: the existing ones are exactly what not to type
            for (auto& id : patient_ids())
                if (std::find(given_.begin(), given_.end(), id) == given_.end())
                    out.push_back({id, ""});
            return out;
        }
        if (kind == "TOPIC") {
            std::vector<Candidate> out;
            if (Store* s = store())
                for (const Topic& t : s->program().curriculum)
                    out.push_back({t.id, t.title});
            return out;
        }
        if (kind == "GOAL" || kind == "OBJECTIVE" || kind == "GOAL|ACTION" || kind == "ID:REF" ||
            (kind == "ACTION" && spec_ && spec_->name == "goal"))
            return plan_refs(kind, opt);
        if (kind == "DIR")
            return {{":dirs", ""}};
        if (kind == "FILE")
            return {{"-", "standard input"}, {":files", ""}};
        if (kind == "FORMAT")
            return formats();
        std::vector<std::string> words;
        if (kind == "KIND")
            for (auto k : {SessionKind::group, SessionKind::individual, SessionKind::family})
                words.emplace_back(to_string(k));
        else if (kind == "RESULT")
            for (auto r : {ScreenResult::negative, ScreenResult::positive, ScreenResult::pending})
                words.emplace_back(to_string(r));
        else if (kind == "ACTION" && spec_ && spec_->name == "closure")
            words = {"add", "cancel", "list"};
        else if (kind == "ACTION" && spec_ && spec_->name == "auth")
            words = {"add", "list"};
        else if (kind == "UNIT")
            words = auth_units();
        else if (kind == "ACTION")
            for (auto a : {MedAction::start, MedAction::review, MedAction::stop})
                words.emplace_back(to_string(a));
        else if (kind == "ROLE")
            words = sign_roles();
        else if (kind == "REPORT")
            words = {"authorizations"};
        else if (kind == "REASON")
            words = discharge_reasons();
        else if (kind == "ASAM-LEVEL")
            words = asam_levels();
        else if (kind == "STATUS") {
            for (auto s : {Status::active, Status::graduated, Status::discharged})
                words.emplace_back(to_string(s));
            words.emplace_back("all");
        } else if (kind == "RULE") {
            words = rule_ids();
            words.insert(words.end(), file_rule_ids().begin(), file_rule_ids().end());
        }
        else if (kind == "LEVEL")
            for (auto s : {Severity::warning, Severity::error})
                words.emplace_back(to_string(s));
        else if (kind == "WHEN")
            words = {"auto", "always", "never"};
        else if (kind == "DATE") // SPEC section 6, "Dates on the command line"
            words = {"today", "yesterday", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        std::vector<Candidate> out;
        for (auto& w : words)
            out.push_back({std::move(w), ""});
        return out;
    }

    // SPEC section 12, from the patient's treatment plan: after `goal ID`,
    // add and the open goals, then the actions; after `objective ID`, add and
    // the open objectives, then the goal (after add) or the actions; the open
    // objectives for attend's --objective, and ID:REF pairs for the
    // patients on a group's line.
    std::vector<Candidate> plan_refs(const std::string& kind, const CLI::Option* opt) {
        std::vector<Candidate> out;
        const bool goal_cmd = spec_ && spec_->name == "goal";
        auto actions = [&](const std::vector<std::string>& all) {
            for (std::size_t i = 1; i < all.size(); ++i) // every action but add
                out.push_back({all[i], ""});
            return out;
        };
        if (kind == "ACTION" && goal_cmd)
            return actions(goal_actions());
        if (kind == "GOAL|ACTION" && given_.size() > 1 && given_[1] != "add")
            return actions(objective_actions());
        if ((kind == "GOAL" || kind == "OBJECTIVE") && opt->get_positional())
            out.push_back({"add", kind == "GOAL" ? "a new goal" : "a new objective"});
        const bool pairs = kind == "ID:REF";
        std::vector<std::string> ids;
        if (pairs)
            ids = given_;
        else if (!given_.empty())
            ids = {given_[0]};
        const bool goals = kind == "GOAL" || kind == "GOAL|ACTION";
        for (const std::string& id : ids) {
            try {
                Store* s = store();
                if (!s)
                    break;
                const TreatmentPlan plan = treatment_plan(s->load(id));
                for (const GoalState& g : plan.goals) {
                    if (goals && g.open)
                        out.push_back({g.ref, fmt::format("goal added {}", format_date(g.added))});
                    if (goals)
                        continue;
                    for (const ObjectiveState& o : g.objectives)
                        if (o.open)
                            out.push_back({pairs ? id + ":" + o.ref : o.ref,
                                           fmt::format("target {}", format_date(o.target))});
                }
            } catch (const std::exception&) {
            }
        }
        return out;
    }

    // The formats of the command on the line, else of any command.
    std::vector<Candidate> formats() const {
        std::vector<Format> fs;
        for (const auto& c : command_table()) {
            if (spec_ && &c != spec_)
                continue;
            for (Format f : c.formats)
                if (std::find(fs.begin(), fs.end(), f) == fs.end())
                    fs.push_back(f);
        }
        std::vector<Candidate> out;
        for (Format f : fs)
            out.push_back({std::string(to_string(f)), ""});
        return out;
    }

    Store* store() {
        if (!store_tried_) {
            store_tried_ = true;
            try {
                auto dir = dir_ ? dir_ : ctx_.dir_option;
                store_ = std::make_unique<Store>(Store::discover(dir, ctx_.env_dir, ctx_.cwd));
            } catch (const std::exception&) {
            }
        }
        return store_.get();
    }

    std::vector<std::string> patient_ids() {
        try {
            if (Store* s = store())
                return s->ids();
        } catch (const std::exception&) {
        }
        return {};
    }

    const CLI::App& root_;
    Context& ctx_;
    const CLI::App* sub_ = nullptr;
    const CommandSpec* spec_ = nullptr;
    bool positional_only_ = false;
    bool lost_ = false;
    std::set<const CLI::Option*> used_;
    std::vector<std::string> given_; // positionals of the command, in order
    std::optional<std::string> dir_;
    bool store_tried_ = false;
    std::unique_ptr<Store> store_;
};

} // namespace

CommandSpec complete_command() {
    return {"__complete",
            "",
            "Print completions for a command line (used by the shell scripts)",
            Access::none,
            {Format::text},
            "",
            [](Args& app) -> Runner {
                auto words = std::make_shared<std::vector<std::string>>();
                app.add_option("words", *words, "The command line after 'iop', after --");
                const CLI::App* self = &app.impl().app;
                return [words, self](Context& ctx) {
                    const CLI::App* root = self->get_parent();
                    std::vector<Candidate> found;
                    try {
                        found = Completer(*root, ctx).complete(*words);
                    } catch (const std::exception&) {
                        // A completion that fails offers nothing, quietly.
                    }
                    for (const auto& c : found)
                        *ctx.out << c.word << (c.description.empty() ? "" : "\t") << c.description
                                 << '\n';
                    return exit_ok;
                };
            }};
}

} // namespace iop
