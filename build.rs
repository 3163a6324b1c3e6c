//! Generates the drop-in C headers with cbindgen:
//! `include/HPTypeDef.h` from `src/ffi/types.rs`, `include/HPSocket4C.h` from the exports and
//! `include/HPSocket4C-SSL.h` from the SSL family's (`src/ffi/ssl.rs`).
//! The headers are committed; `tests/header_drift.rs` fails when they differ from the sources.

use std::{env, fs, path::PathBuf};

/// Names of the `pub type` / `pub enum` / `pub struct` / `pub const` items a file defines.
fn item_names(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let rest = ["pub type ", "pub enum ", "pub struct ", "pub const "]
                .iter()
                .find_map(|p| l.strip_prefix(p))?;
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let types_rs = root.join("src/ffi/types.rs");
    let handles_rs = root.join("src/ffi/handles.rs");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // The shared library's soname, as upstream's Linux library carries it: a program linked
    // against either records `NEEDED libhpsocket4c.so`, so one runs over the other.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhpsocket4c.so");
    }

    let types_src = fs::read_to_string(&types_rs).unwrap();
    let handles_src = fs::read_to_string(&handles_rs).unwrap();
    let type_names = item_names(&types_src);
    // `*Arg` newtypes are the C-side integer view of an enum: never emitted, printed as the enum typedef.
    let (arg_names, type_names): (Vec<_>, Vec<_>) = type_names.into_iter().partition(|n| n.ends_with("Arg"));

    let base = cbindgen::Config::from_file(root.join("cbindgen.toml")).unwrap();
    let mut renames = Vec::new();
    for a in &arg_names {
        renames.push((a.clone(), format!("En_HP_{}", a.trim_end_matches("Arg"))));
    }

    // HPTypeDef.h
    let mut cfg = base.clone();
    cfg.include_guard = Some("HP_TYPE_DEF_H".into());
    cfg.export.include = type_names.clone();
    cfg.export.exclude = arg_names.clone();
    cfg.export.rename.extend(renames.iter().cloned());
    cfg.after_includes = Some(AFTER_TYPEDEF_INCLUDES.into());
    let out = root.join("include/HPTypeDef.h");
    write_if_changed(&out, cbindgen::Builder::new().with_config(cfg).with_src(&types_rs).generate().expect("cbindgen HPTypeDef.h"));

    // HPSocket4C.h
    let ssl_rs = root.join("src/ffi/ssl.rs");
    let ssl_src = fs::read_to_string(&ssl_rs).unwrap();
    let ssl_types = item_names(&ssl_src);
    let ssl_fns = export_names(&ssl_src);

    let mut cfg = base.clone();
    cfg.include_guard = Some("HP_SOCKET_4C_H".into());
    cfg.export.include = item_names(&handles_src);
    // The SSL family has a header of its own.
    cfg.export.exclude = type_names.iter().cloned().chain(arg_names.iter().cloned()).chain(ssl_types.iter().cloned()).chain(ssl_fns).collect();
    cfg.export.rename.extend(renames);
    cfg.includes = vec!["HPTypeDef.h".into()];
    let out = root.join("include/HPSocket4C.h");
    // Only the C boundary is read (src/ffi/mod.rs and the modules it declares): engine items
    // never reach the header.
    let builder = cbindgen::Builder::new().with_config(cfg).with_src(root.join("src/ffi/mod.rs"));
    write_if_changed(&out, builder.generate().expect("cbindgen HPSocket4C.h"));

    // HPSocket4C-SSL.h: the SSL family (src/ffi/ssl.rs), over HPSocket4C.h.
    let mut cfg = base;
    cfg.include_guard = Some("HP_SOCKET_4C_SSL_H".into());
    cfg.export.include = ssl_types.into_iter().filter(|n| n.starts_with("HP_")).collect();
    cfg.export.exclude = type_names.into_iter().chain(arg_names).collect();
    cfg.export.rename.extend(renames_ssl());
    cfg.includes = vec!["HPSocket4C.h".into()];
    cfg.after_includes = Some(SSL_AFTER_INCLUDES.into());
    let out = root.join("include/HPSocket4C-SSL.h");
    write_if_changed(&out, cbindgen::Builder::new().with_config(cfg).with_src(&ssl_rs).generate().expect("cbindgen HPSocket4C-SSL.h"));
}

/// The `*Arg` parameter types the SSL exports use, printed as their enum typedefs.
fn renames_ssl() -> Vec<(String, String)> {
    vec![("SSLSessionInfoArg".into(), "En_HP_SSLSessionInfo".into())]
}

/// Names of the `#[no_mangle]` functions a file defines.
fn export_names(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("pub unsafe extern \"C\" fn ")?;
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

const SSL_AFTER_INCLUDES: &str = r#"
/* Including this header declares the SSL family: the library was built with it (cargo feature
   `ssl`, on by default). */
#ifndef _SSL_SUPPORT
#define _SSL_SUPPORT
#endif
"#;

fn write_if_changed(path: &PathBuf, bindings: cbindgen::Bindings) {
    let mut buf = Vec::new();
    bindings.write(&mut buf);
    if fs::read(path).ok().as_deref() != Some(&buf[..]) {
        fs::write(path, buf).unwrap();
    }
}

const AFTER_TYPEDEF_INCLUDES: &str = r#"
#define HPSOCKET_API __attribute__ ((__visibility__("default")))
#define __HP_CALL

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#define _UDP_SUPPORT
/* _SSL_SUPPORT: defined by HPSocket4C-SSL.h. */
#define _HTTP_SUPPORT
#define _ZLIB_SUPPORT
#define _BROTLI_SUPPORT
#define _ICONV_SUPPORT
"#;
