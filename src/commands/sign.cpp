// `iop sign ID --role ROLE [--name ..] [--declined --reason ..]` (SPEC
// section 12): appends [[event]] type = "signature" for the plan version the
// new entry stands at (position decides: a later goal or objective change
// makes a new version that needs signing again). One signature a role a
// version; a patient who declined may still sign it.
#include "commands/common.hpp"

#include <fmt/format.h>

namespace iop {

namespace {

struct SignOptions {
    std::string id;
    std::string role;
    std::string name;
    bool declined = false;
    std::optional<std::string> reason;
    std::optional<std::string> date;
};

int sign(const SignOptions& o, Context& ctx) {
    require_valid_id(o.id);
    Event e;
    e.type = EventType::signature;
    e.role = *parse_sign_role(require_choice("--role", o.role, sign_roles()));
    e.signer = require_text("--name", o.name);
    e.declined = o.declined;
    if (o.declined && e.role != SignRole::patient)
        throw UsageError(fmt::format("--declined is for the patient's signature; a {} signs or "
                                     "does not",
                                     to_string(e.role)));
    if (o.declined && !o.reason)
        throw UsageError("--declined needs --reason: why the patient would not sign");
    if (!o.declined && o.reason)
        throw UsageError("--reason goes with --declined");
    e.reason = plan_text("--reason", o.reason).value_or("");

    const LoadedRecord loaded = load_for_entry(ctx, o.id);
    const Record& rec = loaded.record;
    e.date = entry_date(ctx, rec, o.date);
    e.plan_version = next_plan_version(rec);
    const TreatmentPlan plan = treatment_plan(rec);
    if (e.date < plan.version_date)
        throw UsageError(fmt::format("--date {} is before plan version {} of {} was made ({})",
                                     format_date(e.date), e.plan_version, o.id,
                                     format_date(plan.version_date)));
    for (const PlanSignature& s : plan.signatures)
        if (s.role == e.role && !(s.declined && !e.declined))
            throw Refused(fmt::format("plan version {} of {} was {} as {} on {}; a plan changed "
                                      "since is signed again",
                                      e.plan_version, o.id, s.declined ? "declined" : "signed",
                                      to_string(e.role), format_date(s.date)));
    append_entry(ctx, loaded, e);
    if (e.declined)
        confirm(ctx, fmt::format("recorded that the patient declined to sign plan version {} of "
                                 "{} on {}",
                                 e.plan_version, o.id, format_date(e.date)));
    else
        confirm(ctx, fmt::format("signed plan version {} of {} as {} on {}", e.plan_version, o.id,
                                 to_string(e.role), format_date(e.date)));
    return exit_ok;
}

} // namespace

CommandSpec sign_command() {
    return {"sign",
            "Plan",
            "Record a signature of the current treatment plan (patient, clinician, ...)",
            Access::write,
            {Format::text},
            "iop sign P-0001 --role clinician --name \"Dr. Rivera\"",
            [](Args& app) -> Runner {
                auto o = std::make_shared<SignOptions>();
                app.add_option("id", o->id, "Patient id")->required()->type_name("ID");
                app.add_option("--role", o->role, "patient, clinician, supervisor or guardian")
                    ->required()
                    ->type_name("ROLE");
                app.add_option("--name", o->name, "Who signed")->type_name("NAME");
                app.add_flag("--declined", o->declined,
                             "The patient would not sign (with --reason)");
                app.add_option("--reason", o->reason, "Why the patient declined")
                    ->check(not_empty())
                    ->type_name("TEXT");
                app.add_option("--date", o->date, "Day of the signature (default today)")
                    ->type_name("DATE");
                return [o](Context& ctx) { return sign(*o, ctx); };
            }};
}

} // namespace iop
