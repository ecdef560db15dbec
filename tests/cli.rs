//! End-to-end tests of the command line.

use std::process::Command;

fn dossier(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dossier")).args(args).current_dir(cwd).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_on_the_seeds_reports_the_captions_with_source_and_caret() {
    let (code, out, _) = dossier(&["check", "seeds"], repo());
    assert_eq!(code, 1, "warnings make the exit code 1");
    let caption = "seeds/000_ed376fe458f0e54a.txt:29:1: warning[untranslated-caption]: untranslated Cyrillic caption";
    assert!(out.contains(caption), "{out}");
    assert!(out.contains("    29 | Генсек ОДКБ Имангали Тасмагамбетов"), "source line shown");
    assert!(out.contains("       | ^^^^"), "caret shown");
    assert!(out.contains("seeds/002_e2d909bfb0b5a3b3.txt:17:125: warning[untranslated-text]"), "{out}");
    assert!(out.lines().last().unwrap().ends_with("in 2 documents"));
}

#[test]
fn check_json_is_one_object_per_diagnostic() {
    let (code, out, _) = dossier(&["check", "--format", "json", "seeds/000_ed376fe458f0e54a.txt"], repo());
    assert_eq!(code, 1);
    let objs: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let captions: Vec<_> = objs.iter().filter(|o| o["code"] == "untranslated-caption").collect();
    assert_eq!(captions.len(), 2);
    assert_eq!(captions[0]["line"], 29);
    assert_eq!(captions[0]["severity"], "warning");
    assert!(captions[0]["message"].as_str().unwrap().contains("Viktor Khrenin"));
}

#[test]
fn clean_corpus_exits_zero_and_bad_paths_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "A clean English article.\n").unwrap();
    std::fs::write(dir.path().join("dossier.toml"), "[rules]\nuntranslated-text = \"off\"\n").unwrap();
    std::fs::write(dir.path().join("b.txt"), "Stray и here.\n").unwrap();
    let (code, out, err) = dossier(&["check", "."], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 diagnostics in 2 documents"), "{out}");
    let (code, _, err) = dossier(&["check", "no/such/dir"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("no such file or folder"), "{err}");
    // a broken configuration is reported and the defaults apply
    std::fs::write(dir.path().join("dossier.toml"), "[rules\n").unwrap();
    let (code, _, err) = dossier(&["check", "."], dir.path());
    assert_eq!(code, 1, "defaults flag the stray word");
    assert!(err.contains("invalid dossier.toml"), "{err}");
}

#[test]
fn version_and_help() {
    let (code, out, _) = dossier(&["--version"], repo());
    assert_eq!(code, 0);
    assert!(out.starts_with("dossier "));
    let (code, out, _) = dossier(&["--help"], repo());
    assert_eq!(code, 0);
    for sub in ["lsp", "check", "entities", "show", "graph"] {
        assert!(out.contains(sub), "{sub} in help");
    }
}

#[test]
fn rules_lists_every_code_with_its_default_and_summary() {
    let (code, out, _) = dossier(&["rules", "--format", "json"], repo());
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, dossier_engine::rules::all_codes());
    let encoding = rows.iter().find(|r| r["code"] == "encoding").unwrap();
    assert_eq!(encoding["default"], "information");
    assert_eq!(encoding["origin"], "loader");
    let repeated = rows.iter().find(|r| r["code"] == "repeated-line").unwrap();
    assert_eq!((repeated["origin"].as_str(), repeated["ignorable"].as_bool()), (Some("corpus"), Some(true)));
    let (code, out, _) = dossier(&["rules"], repo());
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("code"));
    let caption = lines.find(|l| l.starts_with("untranslated-caption ")).unwrap();
    assert!(caption.contains("warning") && caption.contains("photo caption"), "{caption}");
    // with a corpus folder: the level its dossier.toml sets
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dossier.toml"), "[rules]\nencoding = \"off\"\n").unwrap();
    let (code, out, _) = dossier(&["rules", ".", "--format", "json"], dir.path());
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let encoding = rows.iter().find(|r| r["code"] == "encoding").unwrap();
    assert_eq!((encoding["default"].as_str(), encoding["level"].as_str()), (Some("information"), Some("off")));
    assert!(rows.iter().all(|r| r["level"].is_string()));
    let (_, out, _) = dossier(&["rules", "."], dir.path());
    assert!(out.lines().next().unwrap().contains("level"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("encoding ") && l.contains("information  off")), "{out}");
    std::fs::write(dir.path().join("dossier.toml"), "[rules]\nencoding = \"loud\"\n").unwrap();
    let (code, _, err) = dossier(&["rules", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("`rules.encoding`: must be one of"), "{err}");
}

/// A scraped article with chrome around it (lines 1, 3, 9, 10 are deleted by safe fixes).
const SCRAPED: &str = "Subscribe to our Telegram channel\n\nRescuers reach miners trapped in the mine\n\nRescuers have reached the last group of miners who were trapped after a fire, the ministry said on Saturday evening.\n\nThe fire broke out in the morning shift, and most of the people underground were brought to the surface in the first hours.\n\nViews: 312\nRead also:\n";

#[test]
fn clean_writes_copies_and_a_report_and_leaves_the_originals() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("sub")).unwrap();
    std::fs::write(corpus.join("sub/a.txt"), SCRAPED).unwrap();
    std::fs::write(corpus.join("b.txt"), "A clean article without any chrome at all.\n").unwrap();

    let (code, out, err) = dossier(&["clean", "corpus", "--dry-run"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("-Subscribe to our Telegram channel"), "{out}");
    assert!(out.contains("-Views: 312"), "{out}");
    assert!(!dir.path().join("out").exists(), "a dry run writes nothing");

    let (code, _, err) = dossier(&["clean", "corpus", "--out", "out"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 cleaned copies"), "{err}");
    assert_eq!(std::fs::read_to_string(corpus.join("sub/a.txt")).unwrap(), SCRAPED, "original untouched");
    let cleaned = std::fs::read_to_string(dir.path().join("out/sub/a.txt")).unwrap();
    assert!(
        !cleaned.contains("Subscribe") && !cleaned.contains("Views") && !cleaned.contains("Read also"),
        "{cleaned}"
    );
    assert!(cleaned.contains("Rescuers have reached the last group of miners"), "{cleaned}");
    let unchanged = std::fs::read_to_string(dir.path().join("out/b.txt")).unwrap();
    assert_eq!(unchanged, "A clean article without any chrome at all.\n");

    // every removed range is in the report, and putting it back gives the original
    let report = std::fs::read_to_string(dir.path().join("out/dossier-clean.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = report.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.iter().all(|r| r["path"] == "corpus/sub/a.txt"), "{report}");
    assert!(rows.iter().any(|r| r["code"] == "widget-residue" && r["removed"] == "Views: 312\n"), "{report}");
    let mut removed: Vec<(usize, String)> = rows
        .iter()
        .map(|r| (r["start"].as_u64().unwrap() as usize, r["removed"].as_str().unwrap().to_string()))
        .collect();
    removed.sort();
    let mut original = String::new();
    let mut from = 0usize;
    for (start, text) in removed {
        original.push_str(&SCRAPED[from..start]);
        original.push_str(&text);
        from = start + text.len();
    }
    original.push_str(&SCRAPED[from..]);
    assert_eq!(original, SCRAPED);
    // and the copy is the original without them
    let mut kept = String::new();
    let mut from = 0usize;
    for r in report.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()) {
        let (start, end) = (r["start"].as_u64().unwrap() as usize, r["end"].as_u64().unwrap() as usize);
        kept.push_str(&SCRAPED[from..start]);
        kept.push_str(r["replacement"].as_str().unwrap());
        from = end;
    }
    kept.push_str(&SCRAPED[from..]);
    assert_eq!(kept, cleaned);
}

#[test]
fn check_fix_rewrites_in_place_and_leaves_what_it_cannot_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), SCRAPED).unwrap();
    // a Windows-1251 file: decoded for checking, but never rewritten in place
    let (cp1251, _, _) =
        encoding_rs::WINDOWS_1251.encode("Подпишитесь на наш Telegram\n\nRead also:\nТекст статьи о выборах.\n");
    std::fs::write(dir.path().join("b.txt"), &cp1251).unwrap();

    let (code, out, _) = dossier(&["check", "."], dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("a.txt:1:1: warning[boilerplate]"), "check alone reports: {out}");
    assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).unwrap(), SCRAPED, "check alone writes nothing");

    let (code, out, err) = dossier(&["check", "--fix", "."], dir.path());
    assert!(err.contains("applied 3 fixes in 1 file"), "{err}");
    assert!(err.contains("b.txt not fixed, left as it was"), "{err}");
    assert_eq!(code, 1, "b.txt could not be fixed: {out}");
    let fixed = std::fs::read_to_string(dir.path().join("a.txt")).unwrap();
    assert!(fixed.starts_with("\nRescuers reach miners"), "{fixed}");
    assert!(!fixed.contains("Views") && !fixed.contains("Read also"), "{fixed}");
    assert!(!out.contains("a.txt:"), "nothing left to report in a.txt: {out}");
    assert_eq!(std::fs::read(dir.path().join("b.txt")).unwrap(), cp1251.to_vec(), "b.txt untouched");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
}

#[test]
fn show_gives_the_card_in_the_terminal_and_as_json() {
    let (code, out, _) = dossier(&["show", "Tasmagambetov", "seeds"], repo());
    assert_eq!(code, 0);
    assert!(out.starts_with("Imangali Tasmagambetov (person)\n"), "{out}");
    assert!(out.contains("  roles         CSTO Secretary General · Deputy Prime Minister"), "{out}");
    assert!(out.contains("  defined in    seeds/000_ed376fe458f0e54a.txt:3: From the Secretary"), "{out}");
    assert!(out.contains("  appears with  CSTO (organization, 6 paragraphs, 1 document)"), "{out}");
    assert!(out.contains("dossier show \"Imangali Tasmagambetov\" [PATH] --references"), "{out}");

    let (code, out, _) = dossier(&["show", "Tasmagambetov", "seeds", "--format", "json"], repo());
    assert_eq!(code, 0);
    let card: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(card["name"], "Imangali Tasmagambetov");
    assert_eq!(card["kind"], "person");
    let roles: Vec<&str> = card["roles"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(roles.len() >= 2 && roles.contains(&"CSTO Secretary General"), "{roles:?}");
    let with = card["appearsWith"].as_array().unwrap();
    assert!(!with.is_empty() && with[0]["name"] == "CSTO" && with[0]["paragraphs"].as_u64() >= Some(2), "{with:?}");
    let defined = &card["definedIn"];
    assert!(defined["text"].as_str().unwrap().contains("Imangali Tasmagambetov"), "{defined}");
    assert_eq!(defined["line"], 3);
    assert_eq!((card["mentions"].as_u64(), card["documents"].as_u64()), (Some(23), Some(1)));

    // every reference, as path:line:column
    let (code, out, _) = dossier(&["show", "Nazarbayev", "seeds", "--references"], repo());
    assert_eq!(code, 0);
    let refs: Vec<&str> = out.lines().filter(|l| l.starts_with("seeds/")).collect();
    assert_eq!(refs.len(), 6, "{out}");
    assert!(
        refs.iter().any(|l| l.starts_with("seeds/000_ed376fe458f0e54a.txt:53:22: However, challenging")),
        "{refs:?}"
    );
    let (_, out, _) = dossier(&["show", "Nazarbayev", "seeds", "--references", "--format", "json"], repo());
    let card: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(card["references"].as_array().map(Vec::len), Some(6));

    let (code, _, err) = dossier(&["show", "Nobody Atall", "seeds"], repo());
    assert_eq!(code, 1);
    assert!(err.contains("no entity matches"), "{err}");
}

#[test]
fn graph_of_the_seeds_in_json_dot_and_html() {
    let (code, out, _) = dossier(&["graph", "seeds", "--format", "json"], repo());
    assert_eq!(code, 0);
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nodes = g["nodes"].as_array().unwrap();
    let id = |name: &str| nodes.iter().find(|n| n["name"] == name).map(|n| n["id"].clone());
    for main in
        ["Imangali Tasmagambetov", "Kassym-Jomart Tokayev", "Nursultan Nazarbayev", "CSTO", "Kazakhstan", "Russia"]
    {
        assert!(id(main).is_some(), "{main} is a node");
    }
    let edge = |a: &str, b: &str| {
        let (a, b) = (id(a).unwrap(), id(b).unwrap());
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| (e["source"] == a && e["target"] == b) || (e["source"] == b && e["target"] == a))
            .cloned()
    };
    // they share paragraphs of the first seed
    let e = edge("Imangali Tasmagambetov", "CSTO").expect("an edge");
    assert_eq!((e["paragraphs"].as_u64(), e["documents"].as_u64()), (Some(6), Some(1)));
    assert!(edge("Kassym-Jomart Tokayev", "Kazakhstan").is_some());
    // never in one paragraph: no edge
    assert!(edge("Kassym-Jomart Tokayev", "CSTO").is_none());
    // nodes are sized by mentions, with a timeline by document date
    let kz = nodes.iter().find(|n| n["name"] == "Kazakhstan").unwrap();
    assert_eq!(
        (kz["kind"].as_str(), kz["mentions"].as_u64(), kz["documents"].as_u64()),
        (Some("place"), Some(15), Some(2))
    );
    assert_eq!(kz["timeline"][0]["date"], "2022-03-02");
    assert_eq!((g["documents"].as_u64(), g["datedDocuments"].as_u64()), (Some(2), Some(1)));

    let (_, out, _) =
        dossier(&["graph", "seeds", "--focus", "Tasmagambetov", "--kinds", "person", "--min-weight", "2"], repo());
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = g["nodes"].as_array().unwrap().iter().filter_map(|n| n["name"].as_str()).collect();
    assert_eq!(names[0], "Imangali Tasmagambetov");
    assert!(names.contains(&"Nursultan Nazarbayev") && !names.contains(&"CSTO"), "{names:?}");
    assert!(g["edges"].as_array().unwrap().iter().all(|e| e["paragraphs"].as_u64() >= Some(2)));

    let (code, out, _) = dossier(&["graph", "seeds", "--format", "dot"], repo());
    assert_eq!(code, 0);
    assert!(out.starts_with("graph dossier {") && out.contains(" -- ") && out.contains("label=\"CSTO\""), "{out}");
    let (code, out, _) = dossier(&["graph", "seeds", "--format", "html"], repo());
    assert_eq!(code, 0);
    assert!(out.starts_with("<!DOCTYPE html>") && out.contains("Imangali Tasmagambetov") && !out.contains("https://"));

    let (code, _, err) = dossier(&["graph", "seeds", "--kinds", "animal"], repo());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown kind"), "{err}");
}
