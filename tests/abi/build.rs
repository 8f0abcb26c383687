//! Reads include/weft.h with bindgen (the declarations the tests call) and generates,
//! from what bindgen read, a compile-time comparison of every declaration and constant
//! with the library's own export (see src/lib.rs for why both are needed).
//!
//! Outputs in OUT_DIR:
//! - `weft_h.rs`: bindgen's declarations of every `weft_*` function and type and every
//!   `WEFT_*` constant, with bindgen's layout assertions for `weft_completion`.
//! - `agree.rs`: for each declared function, `agree::<extern "C" fn(_, ..) -> _>(lib::f,
//!   crate::f)` (the export and the declaration), and for each constant a const assertion
//!   of its value (and, for the typed `(int64_t)` macros, of its type) against the
//!   library's constant.
use std::collections::HashMap;
use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bindgen::callbacks::{IntKind, ParseCallbacks, Token, TokenKind};

/// Types bindgen gives macro constants: a plain integer macro is a C `int` (i32); a macro
/// written with a cast to a fixed-width type, like `#define WEFT_FOREVER (int64_t)-1`, has
/// that type. cexpr cannot evaluate such casts (bindgen would silently drop the constant),
/// so the cast is removed here and its type remembered for `int_macro`.
#[derive(Debug, Default, Clone)]
struct CastMacros {
    kinds: Arc<Mutex<HashMap<String, IntKind>>>,
}

fn fixed_width(name: &[u8]) -> Option<IntKind> {
    Some(match name {
        b"int8_t" => IntKind::I8,
        b"int16_t" => IntKind::I16,
        b"int32_t" => IntKind::I32,
        b"int64_t" => IntKind::I64,
        b"uint8_t" => IntKind::U8,
        b"uint16_t" => IntKind::U16,
        b"uint32_t" => IntKind::U32,
        b"uint64_t" => IntKind::U64,
        _ => return None,
    })
}

impl ParseCallbacks for CastMacros {
    fn modify_macro(&self, name: &str, tokens: &mut Vec<Token>) {
        // tokens: NAME ( type ) value...
        let is = |i: usize, kind: TokenKind, text: &[u8]| {
            tokens
                .get(i)
                .is_some_and(|t| t.kind == kind && &*t.raw == text)
        };
        if !(is(1, TokenKind::Punctuation, b"(") && is(3, TokenKind::Punctuation, b")")) {
            return;
        }
        let Some(kind) = tokens
            .get(2)
            .filter(|t| t.kind == TokenKind::Identifier)
            .and_then(|t| fixed_width(&t.raw))
        else {
            return;
        };
        tokens.drain(1..4);
        self.kinds.lock().unwrap().insert(name.to_owned(), kind);
    }

    fn int_macro(&self, name: &str, _value: i64) -> Option<IntKind> {
        Some(
            self.kinds
                .lock()
                .unwrap()
                .get(name)
                .copied()
                .unwrap_or(IntKind::Int),
        )
    }
}

fn rust_int(kind: IntKind) -> &'static str {
    match kind {
        IntKind::I8 => "i8",
        IntKind::I16 => "i16",
        IntKind::I32 | IntKind::Int => "i32",
        IntKind::I64 => "i64",
        IntKind::U8 => "u8",
        IntKind::U16 => "u16",
        IntKind::U32 => "u32",
        IntKind::U64 => "u64",
        other => panic!("unexpected macro type {other:?}"),
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let header = manifest.join("../../include/weft.h");
    let header = header.canonicalize().unwrap_or(header);
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-changed=build.rs");

    let casts = CastMacros::default();
    let bindings = bindgen::Builder::default()
        .header(header.to_str().expect("a UTF-8 path"))
        // Read it as C, exactly as a C consumer's compiler does.
        .clang_args(["-x", "c", "-std=c11"])
        .allowlist_function("weft_.*")
        .allowlist_type("weft_.*")
        .allowlist_var("WEFT_.*")
        .layout_tests(true)
        .parse_callbacks(Box::new(casts.clone()))
        .generate()
        .expect("bindgen could not read include/weft.h (is libclang-dev installed?)");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let text = bindings.to_string();
    std::fs::write(out_dir.join("weft_h.rs"), &text).expect("could not write the bindings");

    // What bindgen declared, read back from its output.
    let file = syn::parse_file(&text).expect("bindgen's output parses");
    let mut functions = Vec::new(); // (name, arity)
    let mut constants = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::ForeignMod(block) => {
                for item in &block.items {
                    if let syn::ForeignItem::Fn(f) = item {
                        assert!(f.sig.variadic.is_none(), "{} is variadic", f.sig.ident);
                        functions.push((f.sig.ident.to_string(), f.sig.inputs.len()));
                    }
                }
            }
            syn::Item::Const(c) if c.ident.to_string().starts_with("WEFT_") => {
                constants.push(c.ident.to_string());
            }
            _ => {}
        }
    }
    assert!(
        !functions.is_empty(),
        "bindgen found no weft_* function in {}",
        header.display()
    );

    // Every `#define WEFT_X value` of the header must have become a constant: bindgen drops
    // macros it cannot evaluate, which would leave them unchecked.
    let header_text = std::fs::read_to_string(&header).expect("include/weft.h is readable");
    for line in header_text.lines() {
        let mut words = line.split_whitespace();
        if let (Some("#define"), Some(name), Some(_value)) =
            (words.next(), words.next(), words.next())
        {
            assert!(
                !name.starts_with("WEFT_") || constants.iter().any(|c| c == name),
                "include/weft.h: bindgen could not evaluate `{line}`; teach build.rs its form"
            );
        }
    }

    let kinds = casts.kinds.lock().unwrap();
    let mut agree = String::new();
    writeln!(agree, "#[allow(dead_code, clippy::fn_to_numeric_cast_any)]").unwrap();
    writeln!(agree, "fn every_declaration_agrees_with_its_export() {{").unwrap();
    for (name, arity) in &functions {
        let args = vec!["_"; *arity].join(", ");
        writeln!(
            agree,
            "    agree::<extern \"C\" fn({args}) -> _>(lib::{name}, crate::{name});"
        )
        .unwrap();
    }
    writeln!(agree, "}}").unwrap();
    for name in &constants {
        writeln!(
            agree,
            "const _: () = assert!(crate::{name} as i128 == lib::{name} as i128, \
             \"include/weft.h: {name} differs from the library's value\");"
        )
        .unwrap();
        if let Some(kind) = kinds.get(name) {
            let ty = rust_int(*kind);
            writeln!(
                agree,
                "const _: () = {{ let _: {ty} = crate::{name}; let _: {ty} = lib::{name}; }};"
            )
            .unwrap();
        }
    }
    std::fs::write(out_dir.join("agree.rs"), agree).expect("could not write agree.rs");
}
