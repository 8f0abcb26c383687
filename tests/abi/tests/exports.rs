//! The header's function list against the built library's dynamic symbols, and against
//! the calls made by these tests.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The text with its C comments blanked out (newlines kept).
fn strip_c_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        let (start, end_marker) = match (block, line) {
            (Some(b), Some(l)) if l < b => (l, "\n"),
            (Some(b), _) => (b, "*/"),
            (None, Some(l)) => (l, "\n"),
            (None, None) => {
                out.push_str(rest);
                return out;
            }
        };
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find(end_marker) else {
            return out;
        };
        let comment = &after[..end];
        out.extend(comment.chars().filter(|&c| c == '\n'));
        rest = &after[end + end_marker.len()..];
        if end_marker == "\n" {
            out.push('\n');
        }
    }
}

/// Every identifier followed by `(` in `code`, with its prefix `weft_`.
fn called_or_declared(code: &str) -> BTreeSet<String> {
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = BTreeSet::new();
    let mut i = 0;
    while let Some(at) = code[i..].find("weft_") {
        let start = i + at;
        let mut end = start;
        while end < bytes.len() && ident(bytes[end]) {
            end += 1;
        }
        let boundary = start == 0 || !ident(bytes[start - 1]);
        let mut next = end;
        while next < bytes.len() && bytes[next].is_ascii_whitespace() {
            next += 1;
        }
        if boundary && bytes.get(next) == Some(&b'(') {
            found.insert(code[start..end].to_owned());
        }
        i = end.max(start + 1);
    }
    found
}

/// The functions include/weft.h declares.
fn declared() -> BTreeSet<String> {
    let header = std::fs::read_to_string(format!("{ROOT}/include/weft.h")).unwrap();
    let declared = called_or_declared(&strip_c_comments(&header));
    assert!(
        declared.len() > 40,
        "only {} declarations found",
        declared.len()
    );
    declared
}

/// The libweft.so to check: the one cargo built with these tests (`weft` is a cdylib too,
/// so building this crate builds it, in the `deps` directory next to this test binary,
/// sometimes also copied one level up), else the newest one under the shared target/.
fn shared_library() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    for dir in [deps, deps.parent()?] {
        let candidate = dir.join("libweft.so");
        if candidate.exists() {
            return Some(candidate);
        }
    }
    ["debug", "release"]
        .iter()
        .map(|profile| {
            Path::new(ROOT)
                .join("target")
                .join(profile)
                .join("libweft.so")
        })
        .filter(|p| p.exists())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

/// The output of a binutils tool run on the built library, or None (with a note) when
/// the library or the tool is missing.
fn inspect(tool: &str, args: &[&str]) -> Option<(PathBuf, String)> {
    let Some(lib) = shared_library() else {
        println!("NOTE: no libweft.so built: `{tool}` was not run");
        return None;
    };
    match Command::new(tool).args(args).arg(&lib).output() {
        Ok(output) if output.status.success() => {
            Some((lib, String::from_utf8_lossy(&output.stdout).into_owned()))
        }
        Ok(output) => panic!(
            "{tool} {args:?} {} failed: {}",
            lib.display(),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) => {
            println!("NOTE: {tool} not available ({e}): not checked");
            None
        }
    }
}

/// The library's defined dynamic symbols, as (nm kind letter, name).
fn dynamic_symbols() -> Option<(PathBuf, Vec<(String, String)>)> {
    let (lib, text) = inspect("nm", &["-D", "--defined-only"])?;
    let symbols = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().rev();
            let symbol = fields.next()?;
            let kind = fields.next()?;
            Some((kind.to_owned(), symbol.to_owned()))
        })
        .collect();
    Some((lib, symbols))
}

#[test]
fn header_declares_exactly_the_exports() {
    let declared = declared();
    let Some((lib, symbols)) = dynamic_symbols() else {
        return;
    };
    let exported: BTreeSet<String> = symbols
        .into_iter()
        .filter(|(kind, symbol)| kind == "T" && symbol.starts_with("weft_"))
        .map(|(_, symbol)| symbol)
        .collect();
    println!("{}: {} weft_* exports", lib.display(), exported.len());
    let missing: Vec<_> = declared.difference(&exported).collect();
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    assert!(
        missing.is_empty() && undeclared.is_empty(),
        "{}:\n  declared in include/weft.h but not exported: {missing:?}\n  \
         exported but not declared in include/weft.h: {undeclared:?}",
        lib.display()
    );
}

/// Nothing but the C API leaves the library: no Rust std or dependency symbol a program
/// could bind to by accident (rustc's cdylib version script hides them; this keeps it so).
#[test]
fn only_weft_symbols_are_exported() {
    let Some((lib, symbols)) = dynamic_symbols() else {
        return;
    };
    let foreign: Vec<_> = symbols
        .iter()
        .filter(|(_, symbol)| !symbol.starts_with("weft_"))
        .collect();
    assert!(
        foreign.is_empty(),
        "{} exports non-weft symbols: {foreign:?}",
        lib.display()
    );
}

/// The soname carries the ABI major: `libweft.so.<WEFT_VERSION_MAJOR>` (docs/abi.md).
#[test]
fn the_soname_carries_the_major_version() {
    let Some((lib, text)) = inspect("readelf", &["-d"]) else {
        return;
    };
    let soname = text
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .and_then(|l| l.split('[').nth(1))
        .map(|rest| rest.trim_end_matches(']').to_owned());
    let expected = format!("libweft.so.{}", weft_abi_tests::WEFT_VERSION_MAJOR);
    assert_eq!(
        soname.as_deref(),
        Some(expected.as_str()),
        "{}",
        lib.display()
    );
}

/// A function added to the header must be called by these tests too.
#[test]
fn every_declared_function_is_called_by_the_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut called = BTreeSet::new();
    let mut files = vec![dir.join("common").join("mod.rs")];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    for file in files {
        let code = std::fs::read_to_string(&file).unwrap();
        called.extend(called_or_declared(&strip_c_comments(&code)));
    }
    let uncalled: Vec<_> = declared().difference(&called).cloned().collect();
    assert!(
        uncalled.is_empty(),
        "declared in include/weft.h, never called: {uncalled:?}"
    );
}

#[test]
fn the_header_parser_sees_through_comments() {
    let text = "/* weft_a(x) */ int weft_b(void);\n// weft_c(\nint weft_d (int);\nweft_e;";
    let found: Vec<_> = called_or_declared(&strip_c_comments(text))
        .into_iter()
        .collect();
    assert_eq!(found, ["weft_b", "weft_d"]);
}
