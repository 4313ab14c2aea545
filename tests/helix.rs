//! The Helix configuration (`editors/helix/languages.toml`) parses, covers
//! every Dockerfile name, and every path and command it names exists.

use std::path::Path;

use toml::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Value {
    let path = root().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).expect("editors/helix/languages.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_helix_config_names_what_exists() {
    let config = config();
    let languages = config["language"].as_array().expect("[[language]]");
    let [language] = languages.as_slice() else {
        panic!("one [[language]] entry: {languages:?}");
    };
    assert_eq!(language["name"].as_str(), Some("dockerfile"));

    // The server it starts is the binary this package builds.
    let servers = language["language-servers"].as_array().unwrap();
    for server in servers {
        let name = server.as_str().unwrap();
        let command = config["language-server"][name]["command"]
            .as_str()
            .unwrap_or_else(|| panic!("no [language-server.{name}] command"));
        let built = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"));
        assert_eq!(Some(command), built.file_name().and_then(|f| f.to_str()));
        assert!(built.exists());
    }

    // The grammar: its source path holds our generated parser and scanner,
    // and the queries Helix is told to use exist.
    let grammar_name = language["grammar"].as_str().unwrap();
    let grammars = config["grammar"].as_array().unwrap();
    let grammar = grammars
        .iter()
        .find(|g| g["name"].as_str() == Some(grammar_name))
        .unwrap_or_else(|| panic!("no [[grammar]] named {grammar_name}"));
    let source = grammar["source"]["path"].as_str().unwrap();
    let dir = root().join("editors/helix").join(source);
    for file in ["src/parser.c", "src/scanner.c", "grammar.js"] {
        assert!(dir.join(file).is_file(), "{}", dir.join(file).display());
    }
    let readme = std::fs::read_to_string(root().join("editors/helix/README.md")).unwrap();
    assert!(readme.contains("\"$PWD/queries\""));
    for query in ["highlights.scm", "injections.scm"] {
        assert!(root().join("queries").join(query).is_file(), "{query}");
    }

    // Every name a Dockerfile goes by is matched.
    let types: Vec<String> = language["file-types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| match t {
            Value::String(s) => s.clone(),
            other => other["glob"].as_str().unwrap().to_string(),
        })
        .collect();
    for name in [
        "Dockerfile",
        "Containerfile",
        "Dockerfile.*",
        "Containerfile.*",
        "*.Dockerfile",
        "*.dockerfile",
        "*.containerfile",
    ] {
        assert!(types.iter().any(|t| t == name), "{name} not in {types:?}");
    }
}
