"""Level of care and payer (SPEC section 13) in import and export: the
authorization CSV layout (id,payer,number,from,to,units,unit): all or
nothing, a re-run adds nothing, an overlap with the same payer refused at
its row; the journal CSV carries assessments, authorizations, placement and
certification events back to the same bytes; JSON carries them; FHIR has a
Coverage per payer with the authorization numbers as identifiers. The
records are written by hand, in the form iop writes them."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (IOP, SOURCE_DIR, assert_unchanged, case, contains, eq, import_fails, main,
                  make_clinic, ok, record_path, snapshot)

META = 'recorded_by = "tester"\nrecorded_at = 2026-11-02T12:00:00Z\n'
ASAM = ('\n[[assessment]]\nkind = "asam"\ndate = 2026-11-02\nd1 = 1\nd2 = 0\nd3 = 3\nd4 = 2\n'
        'd5 = 4\nd6 = 1\nlevel = "2.5"\nnote = "=step up?\\nsecond line"\n' + META)
AUTH_A = ('\n[[authorization]]\ndate = 2026-11-02\npayer = "Acme Health"\nnumber = "PA-100"\n'
          'from = 2026-11-02\nto = 2026-11-30\nunits = 12\nunit = "session"\n' + META)
AUTH_B = ('\n[[authorization]]\ndate = 2026-11-03\npayer = "=Blue; Plan"\nnumber = "+H-7"\n'
          'from = 2026-11-01\nto = 2026-12-20\nunits = 30\nunit = "hour"\n'
          'next_review = 2026-11-20\nnote = "call\\nfirst"\n' + META)
PLACEMENT = ('\n[[event]]\ntype = "placement"\ndate = 2026-11-04\n'
             'reason = "no 2.5 bed nearby,\\nstays in IOP"\n' + META)
CERT = ('\n[[event]]\ntype = "certification"\ndate = 2026-11-05\nphysician = "Dr. Lee, MD"\n'
        'note = "-recert due"\n' + META)


def iop(d, *args, **kw):
    return ok("-C", d, *args, **kw)


def payer_clinic(tmp, name="a"):
    d = make_clinic(tmp, name)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    iop(d, "enroll", "P-0002", "--name", "John Roe", "--start", "2026-11-02")
    iop(d, "attend", "P-0001", "--kind", "group", "--topic", "illness", "--date", "2026-11-03")
    with open(record_path(d, "P-0001"), "a", encoding="utf-8") as f:
        f.write(ASAM + AUTH_A + AUTH_B + PLACEMENT + CERT)
    return d


@case
def an_authorization_file_imports_once(tmp):
    d = make_clinic(tmp)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    iop(d, "enroll", "P-0002", "--name", "John Roe", "--start", "2026-11-02")
    data = ("id,payer,number,from,to,units,unit\n"
            "P-0001,Acme Health,PA-100,2026-11-02,2026-11-30,12,session\n"
            "P-0001,Acme Health,PA-200,2026-12-01,2027-01-31,40,\n"
            "P-0002,Blue Plan,H-7,2026-11-01,2026-11-20,20,hour\n")
    (tmp / "auth.csv").write_text(data, encoding="utf-8")
    before = snapshot(tmp)
    out = iop(d, "import", tmp / "auth.csv", "--dry-run").out
    contains(out, "imported 3 authorizations for 2 patients")
    assert_unchanged(before, snapshot(tmp), "after a dry run")
    out = iop(d, "import", tmp / "auth.csv").out
    contains(out, "imported 3 authorizations for 2 patients, skipped 0 duplicates")
    text = record_path(d, "P-0001").read_text(encoding="utf-8")
    contains(text, '\n[[authorization]]\ndate = 2026-11-10\npayer = "Acme Health"\n'
             'number = "PA-200"\nfrom = 2026-12-01\nto = 2027-01-31\nunits = 40\n'
             'unit = "session"\nrecorded_by = ')
    # A re-run, on another day too, adds nothing.
    before = snapshot(tmp)
    out = iop(d, "import", tmp / "auth.csv", today="2026-11-12").out
    contains(out, "imported 0 authorizations for 0 patients, skipped 3 duplicates")
    assert_unchanged(before, snapshot(tmp), "after a re-run")
    # The report sees them (units used and left as of today).
    rows = json.loads(iop(d, "report", "authorizations", "--format", "json").out)
    eq([(r["id"], r["number"], r["units"], r["unit"]) for r in rows],
       [("P-0001", "PA-100", 12, "session"), ("P-0002", "H-7", 20, "hour")], "report")


@case
def bad_authorization_rows_are_refused_and_nothing_is_written(tmp):
    d = make_clinic(tmp)
    iop(d, "enroll", "P-0001", "--name", "Jane Doe", "--start", "2026-11-02")
    with open(record_path(d, "P-0001"), "a", encoding="utf-8") as f:
        f.write(AUTH_A)
    head = "id,payer,number,from,to,units,unit\n"
    cases = [
        ("P-0001,Acme Health,PA-101,2026-11-20,2026-12-10,10,session\n",
         "auth.csv:2: authorization PA-101 of Acme Health overlaps PA-100 (2026-11-02 to "
         "2026-11-30) of the same payer"),
        ("P-0001,Other,X-1,2026-12-01,2026-12-31,10,session\n"
         "P-0001,Other,X-2,2026-12-31,2027-01-31,10,session\n",
         "auth.csv:3: authorization X-2 of Other overlaps X-1"),
        ("P-0001,Acme Health,PA-9,2026-12-10,2026-12-01,10,session\n",
         "auth.csv:2: to 2026-12-01 is before from 2026-12-10"),
        ("P-0001,Acme Health,PA-9,2026-12-01,2026-12-31,0,session\n",
         "auth.csv:2: units 0 is out of range 1..2000"),
        ("P-0001,Acme Health,PA-9,2026-12-01,2026-12-31,2001,session\n",
         "auth.csv:2: units 2001 is out of range 1..2000"),
        ("P-0001,Acme Health,PA-9,2026-12-01,2026-12-31,10,week\n", "auth.csv:2: "),
        ("P-0001,,PA-9,2026-12-01,2026-12-31,10,session\n", "auth.csv:2: payer is empty"),
        ("P-0009,Acme Health,PA-9,2026-12-01,2026-12-31,10,session\n", "auth.csv:2: "),
    ]
    for rows, needle in cases:
        import_fails(tmp, d, "auth.csv", head + rows, needle)
    # A good row with a bad one: nothing written.
    import_fails(tmp, d, "auth.csv",
                 head + "P-0001,Acme Health,PA-200,2026-12-01,2026-12-31,10,session\n"
                 "P-0001,Acme Health,PA-201,2026-12-15,2026-12-31,10,session\n",
                 "auth.csv:3: authorization PA-201")


@case
def assessments_authorizations_and_events_round_trip_to_the_same_bytes(tmp):
    a = payer_clinic(tmp)
    first = iop(a, "export", "--format", "csv").out
    header = next(csv.reader(io.StringIO(first)))
    for col in ("d1", "d6", "level", "payer", "number", "from", "to", "units", "unit",
                "next_review", "physician"):
        contains(",".join(header), col, "the header")
    rows = list(csv.DictReader(io.StringIO(first)))
    kinds = [(r["record"], r["type"]) for r in rows if r["id"] == "P-0001"]
    eq(kinds, [("patient", ""), ("session", ""), ("assessment", ""), ("authorization", ""),
               ("authorization", ""), ("event", "placement"), ("event", "certification")],
       "rows of P-0001")
    auth = rows[4]
    eq((auth["payer"], auth["number"], auth["unit"], auth["next_review"]),
       ("'=Blue; Plan", "'+H-7", "hour", "2026-11-20"), "neutralised authorization row")
    (tmp / "export.csv").write_text(first, encoding="utf-8")
    b = make_clinic(tmp, "b")
    out = iop(b, "import", tmp / "export.csv").out
    contains(out, "1 assessment and 2 authorizations for 1 patient")
    eq(iop(b, "export", "--format", "csv").out, first, "second CSV export")
    eq(record_path(b, "P-0001").read_bytes(), record_path(a, "P-0001").read_bytes(),
       "the record")
    eq(iop(b, "export").out, iop(a, "export").out, "JSON export of both")
    eq(iop(b, "export", "--format", "fhir").out, iop(a, "export", "--format", "fhir").out,
       "FHIR export of both")
    before = snapshot(b)
    out = iop(b, "import", tmp / "export.csv").out
    contains(out, f"skipped {len(rows)} duplicates")
    assert_unchanged(before, snapshot(b), "after importing the export again")


@case
def bad_journal_rows_of_section_13_are_refused(tmp):
    d = payer_clinic(tmp)
    cols = ["record", "id", "date", "d1", "d2", "d3", "d4", "d5", "d6", "level", "type",
            "reason", "physician"]

    def row(**cells):
        base = {"id": "P-0002", "date": "2026-11-05"}
        base.update(cells)
        return ",".join(base.get(c, "") for c in cols) + "\n"

    ratings = {f"d{i}": "1" for i in range(1, 7)}
    for line, needle in [
        (row(record="assessment", **{**ratings, "d6": "5"}), "x.csv:2: d6 5 is out of range 0..4"),
        (row(record="assessment", **{**ratings, "d6": ""}), "x.csv:2: d6 is empty"),
        (row(record="assessment", level="2.2", **ratings), "x.csv:2: "),
        (row(record="event", type="placement"), "x.csv:2: a placement event needs a reason"),
        (row(record="event", type="certification"),
         "x.csv:2: a certification event needs a physician"),
        (row(record="event", type="placement", reason="why", physician="Dr. X"),
         "x.csv:2: 1 value in 'physician' for a placement event row"),
    ]:
        import_fails(tmp, d, "x.csv", ",".join(cols) + "\n" + line, needle)
    # And the good rows go in.
    (tmp / "good.csv").write_text(
        ",".join(cols) + "\n" + row(record="assessment", level="2.1", **ratings) +
        row(record="event", type="placement", reason="stays") +
        row(record="event", type="certification", physician="Dr. X"), encoding="utf-8")
    contains(iop(d, "import", tmp / "good.csv").out,
             "imported 2 events and 1 assessment for 1 patient")


@case
def json_export_carries_them(tmp):
    d = payer_clinic(tmp)
    patients = json.loads(iop(d, "export").out)
    p = patients["patients"][0] if isinstance(patients, dict) else patients[0]
    text = json.dumps(p)
    for needle in ('"PA-100"', '"=Blue; Plan"', '"placement"', '"certification"',
                   '"Dr. Lee, MD"', '"2.5"', '"next_review": "2026-11-20"'):
        contains(text, needle, "the JSON export")


def bundle_of(d):
    return json.loads(iop(d, "export", "--format", "fhir").out)


@case
def fhir_has_a_coverage_per_payer(tmp):
    d = payer_clinic(tmp)
    # The insurance names Acme Health: its Coverage carries PA-100.
    iop(d, "amend", "P-0001", "--insurance", "Acme Health", "--reason", "card seen")
    covs = [e["resource"] for e in bundle_of(d)["entry"]
            if e["resource"]["resourceType"] == "Coverage"]
    eq([(c["payor"][0]["display"], [i["value"] for i in c.get("identifier", [])],
         c.get("period")) for c in covs],
       [("Acme Health", ["PA-100"], {"start": "2026-11-02", "end": "2026-11-30"}),
        ("=Blue; Plan", ["+H-7"], {"start": "2026-11-01", "end": "2026-12-20"})], "coverages")
    for c in covs:
        eq(c["status"], "active", "status")
        eq(len(c["meta"]["security"]), 2, "security labels")
        eq(c["identifier"][0]["system"], "urn:iop:authorization-number", "system")
    # Voided, an authorization is left out with its number.
    ref = next(i["ref"] for i in json.loads(iop(d, "show", "P-0001", "--journal", "--format",
                                                  "json").out)["journal"]
               if i["entry"].get("number") == "+H-7")
    iop(d, "void", "P-0001", ref, "--reason", "entered twice")
    covs = [e["resource"] for e in bundle_of(d)["entry"]
            if e["resource"]["resourceType"] == "Coverage"]
    eq([c["payor"][0]["display"] for c in covs], ["Acme Health"], "after the void")


def validators():
    node = shutil.which("node") or shutil.which("nodejs")
    build = Path(IOP).parent
    for modules in (os.environ.get("IOP_FHIR_VALIDATORS"), build / "fhir-validators" /
                    "node_modules", SOURCE_DIR / "build" / "fhir-validators" / "node_modules"):
        if modules and node and (Path(modules) / "fhir").is_dir() and \
                (Path(modules) / "@asymmetrik" / "fhir-json-schema-validator").is_dir():
            return node, Path(modules)
    return None


@case
def fhir_with_authorizations_passes_both_validators(tmp):
    found = validators()
    if not found:
        print("  skipped: the FHIR validators are not installed (./setup test installs them "
              "with npm; or set IOP_FHIR_VALIDATORS to their node_modules)")
        return
    node, modules = found
    d = payer_clinic(tmp)
    (tmp / "bundle.json").write_text(iop(d, "export", "--format", "fhir").out)
    p = subprocess.run([node, str(SOURCE_DIR / "tests" / "fhir" / "validate.js"),
                        str(tmp / "bundle.json")], capture_output=True, text=True,
                       env={**os.environ, "NODE_PATH": str(modules)}, timeout=120)
    eq((p.returncode, p.stdout, p.stderr), (0, "ok\n", ""), "validators' verdict")


if __name__ == "__main__":
    main()
