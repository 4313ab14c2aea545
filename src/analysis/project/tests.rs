//! Project facts on real shapes: hand-written TS/ESM/CJS configs and the
//! files of the apps corpus.

use super::*;
use crate::analysis::context::{DirFiles, MemFiles};

fn w(s: &str) -> Vec<String> {
    words::commands(s).into_iter().next().unwrap_or_default()
}

fn project(files: &[(&str, &str)]) -> Project {
    Project::read(&MemFiles::new(files.iter().copied()), "")
}

fn production(kind: StartKind) -> Start {
    match kind {
        StartKind::Production(s) => s,
        other => panic!("not a production server: {other:?}"),
    }
}

fn dev_server(kind: StartKind) -> Start {
    match kind {
        StartKind::DevServer(s) => s,
        other => panic!("not a dev server: {other:?}"),
    }
}

const CRA: &str = r#"{
  "name": "web",
  "dependencies": { "react": "^18", "react-dom": "^18", "react-scripts": "5.0.1" },
  "scripts": { "start": "react-scripts start", "build": "react-scripts build" }
}"#;

#[test]
fn create_react_app_builds_static_files_and_starts_a_dev_server() {
    let p = project(&[("package.json", CRA), ("package-lock.json", "{}")]);
    assert_eq!(p.framework, Some(Framework::CreateReactApp));
    let node = p.node.as_ref().unwrap();
    assert_eq!(node.manager, NodeManager::Npm);
    assert_eq!(node.lockfiles, vec!["package-lock.json"]);
    let out = p.build_output().unwrap();
    assert_eq!((out.kind, out.dir.as_str()), (OutputKind::Static, "build"));
    assert_eq!(
        out.copies,
        vec![OutputCopy {
            from: "build".into(),
            to: String::new()
        }]
    );
    let start = dev_server(p.start_kind(&w("npm start")));
    assert_eq!(start.command, w("react-scripts start"));
    assert_eq!(start.scripts, vec!["start"]);
    assert_eq!(start.packages, vec!["react-scripts"]);
    assert!(start.why.contains("development server"), "{}", start.why);
    // BUILD_PATH moves it
    let moved = CRA.replace(
        "\"react-scripts build\"",
        "\"cross-env BUILD_PATH=./www react-scripts build\"",
    );
    let p = project(&[("package.json", &moved)]);
    assert_eq!(p.build_output().unwrap().dir, "www");
    assert_eq!(p.build_output().unwrap().base, None);
    // served under the path of "homepage"
    let homepage = CRA.replace(
        "\"name\": \"web\",",
        "\"name\": \"web\", \"homepage\": \"https://example.org/shop\",",
    );
    assert_eq!(
        project(&[("package.json", &homepage)])
            .build_output()
            .unwrap()
            .base
            .as_deref(),
        Some("/shop")
    );
    let dot = CRA.replace(
        "\"name\": \"web\",",
        "\"name\": \"web\", \"homepage\": \".\",",
    );
    assert_eq!(
        project(&[("package.json", &dot)])
            .build_output()
            .unwrap()
            .base,
        None
    );
}

#[test]
fn vite_out_dir_root_and_base() {
    let pkg = r#"{ "devDependencies": { "vite": "^5" }, "scripts": { "build": "tsc && vite build", "dev": "vite" } }"#;
    let p = project(&[("package.json", pkg)]);
    assert_eq!(p.framework, Some(Framework::Vite));
    assert_eq!(p.build_output().unwrap().dir, "dist");
    assert!(p.vite.is_none());
    let ts = "import { defineConfig } from 'vite'\nimport react from '@vitejs/plugin-react'\n\nexport default defineConfig({\n  plugins: [react()],\n  root: 'src',\n  base: '/app/',\n  build: { outDir: '../public/build', emptyOutDir: true },\n})\n";
    let p = project(&[("package.json", pkg), ("vite.config.ts", ts)]);
    let out = p.build_output().unwrap();
    assert_eq!(out.dir, "public/build");
    assert_eq!(out.base.as_deref(), Some("/app/"));
    assert!(
        out.source.contains("vite.config.ts build.outDir"),
        "{}",
        out.source
    );
    // a function of the mode, CJS, resolve(__dirname)
    let cjs = "const path = require('path')\nconst { defineConfig } = require('vite')\nmodule.exports = defineConfig(({ mode }) => {\n  return {\n    build: { outDir: path.resolve(__dirname, 'web-dist') },\n  }\n})\n";
    let p = project(&[("package.json", pkg), ("vite.config.js", cjs)]);
    assert_eq!(p.build_output().unwrap().dir, "web-dist");
    // a computed outDir: the folder is not known
    let computed = "export default { build: { outDir: process.env.OUT } }";
    let p = project(&[("package.json", pkg), ("vite.config.mjs", computed)]);
    assert_eq!(p.vite.as_ref().unwrap().computed, vec!["build.outDir"]);
    assert_eq!(p.build_output(), None);
    // a spread of another config may set build.outDir
    let spread = "import base from './vite.base'\nexport default { ...base, plugins: [] }";
    let p = project(&[("package.json", pkg), ("vite.config.ts", spread)]);
    assert_eq!(
        p.vite.as_ref().unwrap().computed,
        vec!["root", "build.outDir", "base"]
    );
    assert_eq!(p.build_output(), None);
    let built = "export default { build: getBuild() }";
    let p = project(&[("package.json", pkg), ("vite.config.ts", built)]);
    assert_eq!(p.vite.as_ref().unwrap().computed, vec!["build.outDir"]);
    // mergeConfig: which object sets outDir is not known
    let merged = "import base from './vite.base'\nexport default mergeConfig(base, defineConfig({ build: { outDir: 'x' } }))";
    let p = project(&[("package.json", pkg), ("vite.config.ts", merged)]);
    assert_eq!(p.vite.as_ref().unwrap().computed, vec!["config"]);
    assert_eq!(p.build_output(), None);
    // `vite build --outDir` on the command line wins
    let p = project(&[("package.json", pkg), ("vite.config.ts", ts)]);
    assert_eq!(
        p.build_output_for(&w("npx vite build --outDir out"))
            .unwrap()
            .dir,
        "src/out"
    );
    // another config named on the command line
    let prod = "export default { build: { outDir: 'dist-prod' } }";
    let p = project(&[
        ("package.json", pkg),
        ("vite.config.ts", ts),
        ("vite.prod.config.mjs", prod),
    ]);
    assert_eq!(
        p.build_output_for(&w("vite build --config vite.prod.config.mjs"))
            .unwrap()
            .dir,
        "dist-prod"
    );
    assert_eq!(
        p.build_output_for(&w("vite build -c missing.config.js")),
        None
    );
    assert_eq!(
        p.build_output_for(&w("vite build --mode staging"))
            .unwrap()
            .dir,
        "public/build"
    );
    // the dev server and preview are not runtimes
    assert_eq!(
        dev_server(p.start_kind(&w("npm run dev"))).packages,
        vec!["vite"]
    );
    assert_eq!(
        dev_server(p.start_kind(&w("vite"))).dev_packages,
        vec!["vite"]
    );
    assert!(dev_server(p.start_kind(&w("npx vite preview --host")))
        .why
        .contains("preview"));
}

#[test]
fn vite_run_through_node_modules() {
    let pkg = r#"{ "type": "module", "devDependencies": { "vite": "^5" }, "scripts": { "build": "node --max_old_space_size=8192 ./node_modules/vite/bin/vite.js build" } }"#;
    let p = project(&[("package.json", pkg)]);
    assert!(p.node.as_ref().unwrap().esm);
    assert_eq!(p.build_output().unwrap().dir, "dist");
}

const ANGULAR_PKG: &str = r#"{ "dependencies": { "@angular/core": "^17" }, "devDependencies": { "@angular/cli": "^17" }, "scripts": { "build": "ng build", "start": "ng serve" } }"#;

#[test]
fn angular_output_path_and_browser_folder() {
    let application = r#"{
      // comments are allowed in angular.json
      "projects": {
        "shop": {
          "projectType": "application",
          "architect": { "build": { "builder": "@angular-devkit/build-angular:application",
            "options": { "outputPath": "dist/shop", }, } }
        }
      }
    }"#;
    let p = project(&[("package.json", ANGULAR_PKG), ("angular.json", application)]);
    assert_eq!(p.framework, Some(Framework::Angular));
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str()),
        (OutputKind::Static, "dist/shop/browser")
    );
    assert_eq!(
        p.build_output_for(&w("npx ng build --output-path=www"))
            .unwrap()
            .dir,
        "www/browser"
    );
    let browser = application.replace(":application", ":browser");
    let p = project(&[("package.json", ANGULAR_PKG), ("angular.json", &browser)]);
    assert_eq!(p.build_output().unwrap().dir, "dist/shop");
    let object = r#"{ "projects": { "lib": { "projectType": "library" }, "web": { "projectType": "application",
      "architect": { "build": { "builder": "@angular/build:application",
      "options": { "outputPath": { "base": "out", "browser": "" } } } } } } }"#;
    let p = project(&[("package.json", ANGULAR_PKG), ("angular.json", object)]);
    assert_eq!(p.angular.as_ref().unwrap().project, "web");
    assert_eq!(p.build_output().unwrap().dir, "out");
    let default = r#"{ "projects": { "admin": { "architect": { "build": { "builder": "@angular/build:application", "options": {} } } } } }"#;
    let p = project(&[("package.json", ANGULAR_PKG), ("angular.json", default)]);
    assert_eq!(p.build_output().unwrap().dir, "dist/admin/browser");
    assert_eq!(
        dev_server(p.start_kind(&w("npm start"))).dev_packages,
        vec!["@angular/cli"]
    );
    // broken angular.json: no facts, no panic
    let p = project(&[
        ("package.json", ANGULAR_PKG),
        ("angular.json", "{ \"projects\": "),
    ]);
    assert!(p.angular.is_none() && p.build_output().is_none());
}

#[test]
fn next_outputs() {
    let pkg = r#"{ "dependencies": { "next": "14", "react": "18" }, "scripts": { "build": "next build", "start": "next start" } }"#;
    let standalone = "/** @type {import('next').NextConfig} */\nconst nextConfig = { output: 'standalone' }\nmodule.exports = nextConfig\n";
    let p = project(&[
        ("package.json", pkg),
        ("next.config.js", standalone),
        ("public/favicon.ico", ""),
    ]);
    assert_eq!(p.framework, Some(Framework::Next));
    assert!(p.next.as_ref().unwrap().standalone);
    let out = p.build_output().unwrap();
    assert_eq!(out.kind, OutputKind::NextStandalone);
    assert_eq!(
        out.copies,
        vec![
            OutputCopy {
                from: ".next/standalone".into(),
                to: String::new()
            },
            OutputCopy {
                from: ".next/static".into(),
                to: ".next/static".into()
            },
            OutputCopy {
                from: "public".into(),
                to: "public".into()
            },
        ]
    );
    assert_eq!(out.entry.as_deref(), Some("server.js"));
    assert!(!out.needs_node_modules);
    assert_eq!(
        production(p.start_kind(&w("node server.js")))
            .file
            .as_deref(),
        Some("server.js")
    );
    // an app of a monorepo: Next 16 takes the lockfile's folder as the
    // tracing root and nests the app under its path from there; 14 does not;
    // 15 (or no version) is a guess a human confirms
    let with_next = |version: &str| {
        MemFiles::new([
            ("package-lock.json", "{}"),
            (
                "apps/web/package.json",
                &pkg.replace("\"next\": \"14\"", &format!("\"next\": \"{version}\"")) as &str,
            ),
            ("apps/web/next.config.js", standalone),
            ("apps/web/public/robots.txt", ""),
        ])
    };
    let p = Project::read(&with_next("^16.0.1"), "apps/web");
    assert_eq!(p.node.as_ref().unwrap().major("next"), Some(16));
    let out = p.build_output().unwrap();
    assert_eq!(out.entry.as_deref(), Some("apps/web/server.js"));
    assert_eq!(out.uncertain, None);
    assert_eq!(
        out.copies[1..],
        [
            OutputCopy {
                from: ".next/static".into(),
                to: "apps/web/.next/static".into()
            },
            OutputCopy {
                from: "public".into(),
                to: "apps/web/public".into()
            },
        ]
    );
    let out = Project::read(&with_next("14.2.3"), "apps/web")
        .build_output()
        .unwrap();
    assert_eq!(
        (out.entry.as_deref(), out.uncertain.as_deref()),
        (Some("server.js"), None)
    );
    assert_eq!(
        out.copies[2],
        OutputCopy {
            from: "public".into(),
            to: "public".into()
        }
    );
    // a tracing root of its own folder: not nested
    let own_root = "module.exports = { output: 'standalone', turbopack: { root: __dirname } }";
    let files = MemFiles::new([
        ("package-lock.json", "{}"),
        ("apps/web/package.json", pkg),
        ("apps/web/next.config.js", own_root),
    ]);
    let p = Project::read(&files, "apps/web");
    assert_eq!(p.next.as_ref().unwrap().tracing_root.as_deref(), Some("."));
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.entry.as_deref(), out.uncertain.as_deref()),
        (Some("server.js"), None)
    );
    for version in ["~15.1", "latest"] {
        let out = Project::read(&with_next(version), "apps/web")
            .build_output()
            .unwrap();
        assert!(
            out.uncertain
                .as_deref()
                .unwrap()
                .contains("outputFileTracingRoot"),
            "{version}"
        );
    }
    let rooted = "const path = require('path')\nmodule.exports = { output: 'standalone', outputFileTracingRoot: path.join(__dirname, '..') }\n";
    let files = MemFiles::new([
        ("apps/web/package.json", pkg),
        ("apps/web/package-lock.json", "{}"),
        ("apps/web/next.config.js", rooted),
    ]);
    let p = Project::read(&files, "apps/web");
    assert_eq!(p.next.as_ref().unwrap().tracing_root.as_deref(), Some(".."));
    assert_eq!(
        p.build_output().unwrap().entry.as_deref(),
        Some("web/server.js")
    );
    // without standalone: .next, next start, node_modules
    let p = project(&[
        ("package.json", pkg),
        ("next.config.mjs", "export default { distDir: 'build' }"),
    ]);
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str(), out.needs_node_modules),
        (OutputKind::NextServer, "build", true)
    );
    assert!(out.copies.contains(&OutputCopy {
        from: "next.config.mjs".into(),
        to: "next.config.mjs".into()
    }));
    assert_eq!(
        production(p.start_kind(&w("npm start"))).packages,
        vec!["next"]
    );
    assert_eq!(
        p.next.as_ref().unwrap().edit.as_ref().map(|e| e.is_empty()),
        Ok(false)
    );
    // static export
    let p = project(&[
        ("package.json", pkg),
        (
            "next.config.ts",
            "const config: NextConfig = { output: 'export' }\nexport default config\n",
        ),
    ]);
    assert_eq!(p.build_output().unwrap().dir, "out");
    assert!(p.next.as_ref().unwrap().edit.is_err());
    assert!(dev_server(p.start_kind(&w("next dev")))
        .why
        .contains("next dev"));
}

#[test]
fn nuxt_and_node_servers() {
    let nuxt = r#"{ "devDependencies": { "nuxt": "^3" }, "scripts": { "build": "nuxt build", "dev": "nuxt dev", "generate": "nuxt generate" } }"#;
    let p = project(&[("package.json", nuxt)]);
    assert_eq!(p.framework, Some(Framework::Nuxt));
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str()),
        (OutputKind::NuxtServer, ".output")
    );
    assert_eq!(out.entry.as_deref(), Some(".output/server/index.mjs"));
    assert_eq!(
        p.build_output_for(&w("npm run generate")).unwrap().dir,
        ".output/public"
    );
    assert!(matches!(
        p.start_kind(&w("npm run dev")),
        StartKind::DevServer(_)
    ));
    let nuxt2 = r#"{ "dependencies": { "nuxt": "^2.17.0" }, "scripts": { "build": "nuxt build", "start": "nuxt start" } }"#;
    let out = project(&[("package.json", nuxt2)]).build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str(), out.needs_node_modules),
        (OutputKind::NodeServer, ".nuxt", true)
    );
    assert!(out.uncertain.is_some());
    // Remix classic and on Vite; Astro static and with the Node adapter
    let remix = r#"{ "dependencies": { "@remix-run/node": "2", "@remix-run/serve": "2" }, "devDependencies": { "@remix-run/dev": "2" }, "scripts": { "build": "remix build", "start": "remix-serve build/index.js" } }"#;
    let p = project(&[("package.json", remix)]);
    assert_eq!(p.framework, Some(Framework::Remix));
    assert_eq!(
        p.build_output().unwrap().entry.as_deref(),
        Some("build/index.js")
    );
    assert_eq!(
        production(p.start_kind(&w("npm start"))).packages,
        vec!["@remix-run/serve"]
    );
    let remix_vite = remix
        .replace("\"2\" },\n", "\"2\", \"vite\": \"5\" },")
        .replace(
            "\"@remix-run/dev\": \"2\"",
            "\"@remix-run/dev\": \"2\", \"vite\": \"5\"",
        );
    assert_eq!(
        project(&[("package.json", &remix_vite)])
            .build_output()
            .unwrap()
            .entry
            .as_deref(),
        Some("build/server/index.js")
    );
    let astro = r#"{ "dependencies": { "astro": "4" }, "scripts": { "build": "astro build" } }"#;
    assert_eq!(
        project(&[("package.json", astro)])
            .build_output()
            .unwrap()
            .kind,
        OutputKind::Static
    );
    let astro_node = astro.replace(
        "\"astro\": \"4\"",
        "\"astro\": \"4\", \"@astrojs/node\": \"8\"",
    );
    let out = project(&[("package.json", &astro_node)])
        .build_output()
        .unwrap();
    assert_eq!(
        (out.kind, out.entry.as_deref()),
        (OutputKind::NodeServer, Some("dist/server/entry.mjs"))
    );
    // a TypeScript server compiled by tsc, tsconfig extending a base with comments
    let server = r#"{ "main": "lib/index.js", "dependencies": { "express": "4" }, "devDependencies": { "typescript": "5", "nodemon": "3" },
      "scripts": { "build": "tsc", "start": "node lib/index.js", "dev": "nodemon src/index.ts" } }"#;
    let p = project(&[
        ("package.json", server),
        ("tsconfig.json", "{ \"extends\": \"./tsconfig.base\", \"include\": [\"src\"] }"),
        ("tsconfig.base.json", "{\n  // shared\n  \"compilerOptions\": { \"outDir\": \"./lib\", \"rootDir\": \"src\", },\n}"),
    ]);
    assert_eq!(p.tsconfig.as_ref().unwrap().out_dir.as_deref(), Some("lib"));
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str(), out.needs_node_modules),
        (OutputKind::NodeServer, "lib", true)
    );
    assert_eq!(out.entry.as_deref(), Some("lib/index.js"));
    assert_eq!(
        production(p.start_kind(&w("npm start"))).file.as_deref(),
        Some("lib/index.js")
    );
    assert_eq!(
        dev_server(p.start_kind(&w("npm run dev"))).dev_packages,
        vec!["nodemon"]
    );
    // TypeScript 5's list of bases: the later wins
    let p = project(&[
        ("package.json", server),
        (
            "tsconfig.json",
            "{ \"extends\": [\"@tsconfig/node20/tsconfig.json\", \"./tsconfig.out.json\"] }",
        ),
        (
            "tsconfig.out.json",
            "{ \"compilerOptions\": { \"outDir\": \"out\" } }",
        ),
    ]);
    assert_eq!(p.build_output().unwrap().dir, "out");
    // tsc -p another config
    let p = project(&[
        (
            "package.json",
            &server.replace(
                "\"build\": \"tsc\"",
                "\"build\": \"tsc -p tsconfig.build.json\"",
            ),
        ),
        (
            "tsconfig.build.json",
            "{ \"compilerOptions\": { \"outDir\": \"build\" } }",
        ),
    ]);
    assert_eq!(p.build_output().unwrap().dir, "build");
    // npm runs prebuild and postbuild around build; pnpm does not
    let hooks = r#"{ "scripts": { "prebuild": "tsc", "build": "echo built", "postbuild": "npx esbuild x.ts --outdir=bundle" } }"#;
    let p = project(&[
        ("package.json", hooks),
        (
            "tsconfig.json",
            "{ \"compilerOptions\": { \"outDir\": \"lib\" } }",
        ),
    ]);
    let dirs: Vec<String> = p
        .build_outputs_for(&w("npm run build"))
        .into_iter()
        .map(|o| o.dir)
        .collect();
    assert_eq!(dirs, vec!["lib", "bundle"]);
    assert_eq!(p.build_outputs_for(&w("pnpm run build")), vec![]);
    let p = project(&[
        (
            "package.json",
            &server.replace(
                "\"build\": \"tsc\"",
                "\"build\": \"tsc -b tsconfig.app.json --verbose\"",
            ),
        ),
        (
            "tsconfig.app.json",
            "{ \"compilerOptions\": { \"outDir\": \"out/app\" } }",
        ),
    ]);
    assert_eq!(p.build_output().unwrap().dir, "out/app");
    // noEmit: tsc only type-checks
    let p = project(&[
        ("package.json", server),
        (
            "tsconfig.json",
            "{ \"compilerOptions\": { \"noEmit\": true, \"outDir\": \"x\" } }",
        ),
    ]);
    assert_eq!(p.build_output(), None);
}

#[test]
fn a_plain_build_script_names_its_output() {
    let pkg = r#"{ "devDependencies": { "esbuild": "0.20" }, "scripts": { "start": "node dist/server.js" } }"#;
    let build = "import * as esbuild from 'esbuild'\n\nawait esbuild.build({\n  entryPoints: ['src/server.ts'],\n  bundle: true,\n  platform: 'node',\n  outfile: 'dist/server.js',\n})\n";
    let files = MemFiles::new([("package.json", pkg), ("build.mjs", build)]);
    let p = Project::read(&files, "");
    assert!(p.kept.contains_key("build.mjs"));
    let out = p.build_output_for(&w("node build.mjs")).unwrap();
    assert_eq!((out.kind, out.dir.as_str()), (OutputKind::Files, "dist"));
    assert_eq!(out.entry.as_deref(), Some("dist/server.js"));
    assert!(!out.needs_node_modules, "bundle: true inlines the packages");
    assert_eq!(p.build_outputs_in(&files, &w("node build.mjs")), vec![out]);
    // a script it did not keep, read from the context
    let files = MemFiles::new([
        ("package.json", pkg),
        (
            "tools/pack.js",
            "require('esbuild').buildSync({ outdir: 'out' })",
        ),
    ]);
    let p = Project::read(&files, "");
    assert_eq!(p.build_output_for(&w("node tools/pack.js")), None);
    assert_eq!(
        p.build_outputs_in(&files, &w("node tools/pack.js"))[0].dir,
        "out"
    );
    // fs calls name the folder
    let copy = "const fs = require('fs')\nfs.mkdirSync('dist', { recursive: true })\nfs.copyFileSync('server.js', 'dist/server.js')\n";
    let files = MemFiles::new([("package.json", pkg), ("build.js", copy)]);
    let out = Project::read(&files, "")
        .build_output_for(&w("node build.js"))
        .unwrap();
    assert_eq!(
        (out.dir.as_str(), out.source.as_str()),
        ("dist", "build.js mkdirSync()")
    );
    assert!(
        out.needs_node_modules,
        "a copied server.js still loads its packages"
    );
    // a path from the script's own folder, and one from where it runs
    let files = MemFiles::new([
        ("package.json", pkg),
        ("scripts/build.js", "const path = require('path')\nrequire('esbuild').build({ outdir: path.resolve(__dirname, 'out') })"),
        ("scripts/b2.js", "require('esbuild').build({ outdir: 'www' })"),
        ("scripts/none.js", "console.log('nothing written')"),
    ]);
    let p = Project::read(&files, "");
    assert_eq!(
        p.build_outputs_in(&files, &w("node scripts/build.js"))[0].dir,
        "scripts/out"
    );
    assert_eq!(
        p.build_outputs_in(&files, &w("node scripts/b2.js"))[0].dir,
        "www"
    );
    assert!(p
        .build_outputs_in(&files, &w("node scripts/none.js"))
        .is_empty());
    assert!(p
        .build_outputs_in(&files, &w("node scripts/missing.js"))
        .is_empty());
    // webpack: output.path of its config (default dist)
    let webpack = "const path = require('path');\nmodule.exports = (env) => ({\n  entry: './src/index.js',\n  output: { path: path.resolve(__dirname, 'public/assets'), filename: 'app.js' },\n});\n";
    let wp = r#"{ "devDependencies": { "webpack": "5", "webpack-cli": "5" }, "scripts": { "build": "webpack --mode production" } }"#;
    let p = project(&[("package.json", wp), ("webpack.config.js", webpack)]);
    let out = p.build_output().unwrap();
    assert_eq!(
        (out.kind, out.dir.as_str()),
        (OutputKind::Files, "public/assets")
    );
    let p = project(&[
        ("package.json", wp),
        ("webpack.config.js", "module.exports = { entry: './a.js' }"),
    ]);
    assert_eq!(p.build_output().unwrap().dir, "dist");
    let p = project(&[
        ("package.json", wp),
        (
            "webpack.config.js",
            "module.exports = { output: { path: process.env.OUT } }",
        ),
    ]);
    assert_eq!(p.build_output(), None);
    // esbuild on the command line
    assert_eq!(
        p.build_output_for(&w("esbuild src/index.ts --bundle --outfile=build/index.js"))
            .unwrap()
            .entry
            .as_deref(),
        Some("build/index.js")
    );
    let bundled = p
        .build_output_for(&w(
            "esbuild src/index.ts --bundle --platform=node --outfile=build/index.js",
        ))
        .unwrap();
    assert!(!bundled.needs_node_modules);
    for external in [
        "esbuild src/index.ts --bundle --packages=external --outdir=build",
        "esbuild src/index.ts --outdir=build",
    ] {
        assert!(
            p.build_output_for(&w(external)).unwrap().needs_node_modules,
            "{external}"
        );
    }
}

#[test]
fn package_managers_and_lockfiles() {
    let pkg = |pm: &str| {
        format!("{{ \"name\": \"x\", {pm} \"scripts\": {{ \"start\": \"node index.js\" }} }}")
    };
    let p = project(&[
        ("package.json", &pkg("")),
        ("yarn.lock", "# yarn lockfile v1\n"),
    ]);
    let node = p.node.as_ref().unwrap();
    assert_eq!((node.manager, node.yarn_berry), (NodeManager::Yarn, false));
    let p = project(&[
        ("package.json", &pkg("")),
        ("yarn.lock", "__metadata:\n  version: 8\n"),
    ]);
    assert!(p.node.as_ref().unwrap().yarn_berry);
    // Yarn 2+ links with Plug'n'Play unless told node-modules
    assert!(p.node.as_ref().unwrap().pnp);
    let p = project(&[
        ("package.json", &pkg("")),
        ("yarn.lock", "__metadata:\n  version: 8\n"),
        (
            ".yarnrc.yml",
            "nodeLinker: node-modules\nenableTelemetry: false\n",
        ),
    ]);
    let node = p.node.as_ref().unwrap();
    assert!(node.yarn_berry && !node.pnp);
    let p = project(&[
        ("package.json", &pkg("")),
        ("yarn.lock", "# yarn lockfile v1\n"),
    ]);
    assert!(!p.node.as_ref().unwrap().pnp);
    let p = project(&[
        (
            "package.json",
            &pkg("\"packageManager\": \"pnpm@9.1.0+sha512.abc\","),
        ),
        ("pnpm-lock.yaml", ""),
    ]);
    let node = p.node.as_ref().unwrap();
    assert_eq!(
        (node.manager, node.manager_version.as_deref()),
        (NodeManager::Pnpm, Some("9.1.0"))
    );
    let p = project(&[("package.json", &pkg("\"packageManager\": \"yarn@4.1.0\","))]);
    let node = p.node.as_ref().unwrap();
    assert_eq!((node.manager, node.yarn_berry), (NodeManager::Yarn, true));
    assert!(node.lockfiles.is_empty());
    let p = project(&[("package.json", &pkg("")), ("bun.lockb", "")]);
    assert_eq!(p.node.as_ref().unwrap().manager, NodeManager::Bun);
    // two lockfiles: packageManager breaks the tie
    let p = project(&[
        ("package.json", &pkg("\"packageManager\": \"yarn@1.22.0\",")),
        ("package-lock.json", "{}"),
        ("yarn.lock", ""),
    ]);
    let node = p.node.as_ref().unwrap();
    assert_eq!(node.manager, NodeManager::Yarn);
    assert_eq!(node.lockfiles, vec!["package-lock.json", "yarn.lock"]);
    // an app inside a pnpm workspace
    let files = MemFiles::new([
        ("pnpm-workspace.yaml", "packages: ['apps/*']"),
        ("pnpm-lock.yaml", ""),
        ("apps/web/package.json", &pkg("") as &str),
    ]);
    let p = Project::read(&files, "apps/web");
    let node = p.node.as_ref().unwrap();
    assert_eq!(node.manager, NodeManager::Pnpm);
    assert_eq!(
        node.workspace_files,
        vec!["pnpm-workspace.yaml", "pnpm-lock.yaml"]
    );
    // broken package.json: no package
    assert!(project(&[("package.json", "{ \"name\": ")]).node.is_none());
    assert!(project(&[("package.json", "[1, 2]")]).node.is_none());
    assert_eq!(project(&[]), Project::default());
    // an app folder outside the context is not the root
    let files = MemFiles::new([("package.json", "{}")]);
    assert!(Project::read(&files, "").node.is_some());
    assert!(Project::read(&files, "./").node.is_some());
    assert_eq!(Project::read(&files, "../x"), Project::default());
    assert_eq!(Project::read(&files, "/etc"), Project::default());
}

#[test]
fn start_commands_through_scripts_and_managers() {
    let pkg = r#"{
      "dependencies": { "express": "4", "pm2": "5" },
      "devDependencies": { "serve": "14", "ts-node": "10", "typescript": "5" },
      "scripts": {
        "start": "npm run migrate && NODE_ENV=production node --require ./otel.js dist/index.js --port 3000",
        "migrate": "node migrate.js",
        "serve": "serve -s build -l 3000",
        "ts": "ts-node src/index.ts",
        "pm2": "pm2-runtime start ecosystem.config.js",
        "loop": "npm run loop",
        "both": "concurrently \"npm:api\" \"npm:web\""
      }
    }"#;
    let p = project(&[("package.json", pkg)]);
    let s = production(p.start_kind(&w("npm start")));
    assert_eq!(s.file.as_deref(), Some("dist/index.js"));
    assert_eq!(s.command[0], "node");
    assert!(s.packages.is_empty());
    for words in [
        w("yarn start"),
        w("pnpm start"),
        w("npm run start"),
        w("yarn run start"),
    ] {
        assert_eq!(
            production(p.start_kind(&words)).file.as_deref(),
            Some("dist/index.js"),
            "{words:?}"
        );
    }
    let s = production(p.start_kind(&w("pnpm serve")));
    assert!(s.static_server);
    assert_eq!(s.served_dir.as_deref(), Some("build"));
    let http = production(p.start_kind(&w("npx http-server -p 8080 ./public/ -c-1")));
    assert_eq!(http.served_dir.as_deref(), Some("public"));
    assert_eq!(
        production(p.start_kind(&w("npx serve")))
            .served_dir
            .as_deref(),
        Some("")
    );
    assert_eq!(
        (s.packages.clone(), s.dev_packages.clone()),
        (vec!["serve".to_string()], vec!["serve".to_string()])
    );
    let s = production(p.start_kind(&w("npm run ts")));
    assert_eq!(s.dev_packages, vec!["ts-node", "typescript"]);
    assert!(s.why.contains("run time"));
    let s = production(p.start_kind(&w("yarn pm2")));
    assert_eq!(
        (s.packages.clone(), s.dev_packages.clone()),
        (vec!["pm2".to_string()], vec![])
    );
    assert_eq!(
        production(p.start_kind(&w("npx -p serve@14 serve -s build")))
            .served_dir
            .as_deref(),
        Some("build")
    );
    assert_eq!(
        production(p.start_kind(&w("yarn node dist/index.js")))
            .file
            .as_deref(),
        Some("dist/index.js")
    );
    let shell = vec![
        "sh".to_string(),
        "-c".to_string(),
        "npm run migrate && exec node server.js".to_string(),
    ];
    assert_eq!(
        production(p.start_kind(&shell)).file.as_deref(),
        Some("server.js")
    );
    for (words, why) in [
        (w("npm run loop"), "calls itself"),
        (w("npm run both"), "several commands"),
        (w("npm run nope"), "no \"nope\" script"),
        (w("yarn --cwd ./web start"), "another package"),
        (vec![], "empty"),
        (w("npx bun run"), "empty"),
        (w("npm install"), "does not start"),
        (
            w("java -jar app.jar"),
            "not a start command this reader knows",
        ),
    ] {
        match p.start_kind(&words) {
            StartKind::Unknown(reason) => assert!(reason.contains(why), "{words:?}: {reason}"),
            other => panic!("{words:?}: {other:?}"),
        }
    }
    // npm's and pnpm's default start is `node server.js`; yarn has no default
    let p = project(&[("package.json", "{}")]);
    assert_eq!(
        production(p.start_kind(&w("npm start"))).file.as_deref(),
        Some("server.js")
    );
    assert!(matches!(
        p.start_kind(&w("yarn start")),
        StartKind::Unknown(_)
    ));
    assert!(matches!(
        p.start_kind(&w("node --watch server.js")),
        StartKind::DevServer(_)
    ));
    assert_eq!(
        production(p.start_kind(&w("pnpm start"))).file.as_deref(),
        Some("server.js")
    );
    assert!(matches!(
        p.start_kind(&w("bun --hot index.ts")),
        StartKind::DevServer(_)
    ));
    assert_eq!(
        production(p.start_kind(&w("bun src/index.ts")))
            .file
            .as_deref(),
        Some("src/index.ts")
    );
    assert_eq!(
        production(p.start_kind(&w("deno run --allow-net=0.0.0.0 main.ts")))
            .file
            .as_deref(),
        Some("main.ts")
    );
    assert!(matches!(
        p.start_kind(&w("deno task start")),
        StartKind::Unknown(_)
    ));
}

#[test]
fn what_the_started_file_imports() {
    let pkg = r#"{ "dependencies": { "express": "4" }, "devDependencies": { "dotenv": "16", "nodemon": "3" },
      "scripts": { "start": "node server.js" } }"#;
    let files = MemFiles::new([
        ("package.json", pkg),
        ("server.js", "require('dotenv').config()\nconst app = require('express')()\nrequire('./routes')(app)\n"),
        ("routes.js", "const debug = require('nodemon/lib/utils')\nmodule.exports = () => {}\n"),
    ]);
    let p = Project::read(&files, "");
    // the kept entry file alone
    let s = production(p.start_kind(&w("npm start")));
    assert_eq!(s.imports, vec!["dotenv", "express"]);
    assert_eq!(s.dev_packages, vec!["dotenv"]);
    // following its relative imports in the context
    let s = production(p.start_kind_in(&files, &w("node server.js")));
    assert_eq!(s.imports, vec!["dotenv", "express", "nodemon"]);
    assert_eq!(s.dev_packages, vec!["dotenv", "nodemon"]);
    // a built file is not in the context: nothing known
    let s = production(p.start_kind_in(&files, &w("node dist/index.js")));
    assert!(s.imports.is_empty() && s.dev_packages.is_empty());
}

#[test]
fn python_start_commands() {
    let p = project(&[("requirements.txt", "flask\ngunicorn\n")]);
    let s = production(p.start_kind(&w("gunicorn -b 0.0.0.0:8000 app:app")));
    assert_eq!(
        (s.packages.clone(), s.why.as_str()),
        (vec!["gunicorn".to_string()], "")
    );
    assert!(dev_server(p.start_kind(&w("flask run --host=0.0.0.0")))
        .why
        .contains("development server"));
    assert!(matches!(
        p.start_kind(&w("python -m flask run")),
        StartKind::DevServer(_)
    ));
    assert!(matches!(
        p.start_kind(&w("python manage.py runserver 0.0.0.0:8000")),
        StartKind::DevServer(_)
    ));
    assert!(matches!(
        p.start_kind(&w("uvicorn main:app --reload")),
        StartKind::DevServer(_)
    ));
    let s = production(p.start_kind(&w("uvicorn main:app --host 0.0.0.0")));
    assert!(
        s.why.contains("uvicorn is not among the requirements"),
        "{}",
        s.why
    );
    assert_eq!(
        production(p.start_kind(&w("python3 -u app.py")))
            .file
            .as_deref(),
        Some("app.py")
    );
    assert!(matches!(
        p.start_kind(&w("python -m http.server")),
        StartKind::Unknown(_)
    ));
    assert_eq!(
        production(p.start_kind(&w("fastapi run app/main.py"))).packages,
        vec!["fastapi"]
    );
    assert!(matches!(
        p.start_kind(&w("fastapi dev")),
        StartKind::DevServer(_)
    ));
}

/// Every package.json, next.config.*, vite.config.* and angular.json of
/// the apps corpus: read without a panic, with facts that fit the file.
#[test]
fn the_apps_corpus() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/apps");
    let Ok(repos) = std::fs::read_dir(&root) else {
        return; // the shared corpus is not beside this checkout
    };
    let mut apps = Vec::new();
    for repo in repos.flatten() {
        if !repo.path().is_dir() {
            continue;
        }
        let files = DirFiles::new(repo.path());
        let mut stack = vec![String::new()];
        while let Some(dir) = stack.pop() {
            let names = files.list(&dir);
            let is_app = names.iter().any(|n| {
                n == "package.json"
                    || n == "angular.json"
                    || n.starts_with("next.config.")
                    || n.starts_with("vite.config.")
            });
            if is_app {
                let project = Project::read(&files, &dir);
                let name = format!("{}/{dir}", repo.file_name().to_string_lossy());
                // every reading entry point, on every script
                let _ = project.build_output();
                if let Some(node) = &project.node {
                    for (script, line) in &node.scripts {
                        let _ = project.start_kind(&w(&format!("npm run {script}")));
                        let _ = project.build_outputs_for(&w(&format!("npm run {script}")));
                        let _ = project.build_outputs_in(&files, &w(line));
                    }
                    let text = files.read(&join(&dir, "package.json")).unwrap();
                    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(
                        node.scripts.len(),
                        json["scripts"].as_object().map_or(0, |o| o.len()),
                        "{name}"
                    );
                }
                apps.push((name, project));
            }
            stack.extend(
                names
                    .iter()
                    .filter(|n| *n != "node_modules" && !n.starts_with('.'))
                    .map(|n| join(&dir, n))
                    .filter(|p| files.is_dir(p)),
            );
        }
    }
    let app = |name: &str| -> &Project {
        &apps
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} not found"))
            .1
    };
    assert!(apps.len() >= 20, "{}", apps.len());
    // Create React App
    let welcome = app("docker+welcome-to-docker/");
    assert_eq!(welcome.framework, Some(Framework::CreateReactApp));
    assert_eq!(welcome.build_output().unwrap().dir, "build");
    assert!(matches!(
        welcome.start_kind(&w("npm start")),
        StartKind::DevServer(_)
    ));
    // Next.js standalone with a server.js start
    let frontend = app("open-telemetry+opentelemetry-demo/src/frontend");
    assert_eq!(frontend.framework, Some(Framework::Next));
    assert!(frontend.next.as_ref().unwrap().standalone);
    assert_eq!(
        frontend.build_output().unwrap().kind,
        OutputKind::NextStandalone
    );
    assert_eq!(
        production(frontend.start_kind(&w("npm start")))
            .file
            .as_deref(),
        Some("server.js")
    );
    // React Router serve
    let rr = app("vercel+examples/framework-boilerplates/react-router");
    assert_eq!(rr.framework, Some(Framework::ReactRouter));
    let s = production(rr.start_kind(&w("npm start")));
    assert_eq!(
        (s.packages.clone(), s.file.as_deref()),
        (
            vec!["@react-router/serve".to_string()],
            Some("build/server/index.js")
        )
    );
    assert!(s.dev_packages.is_empty());
    assert_eq!(rr.build_output().unwrap().dir, "build");
    // managers from lockfiles and packageManager
    assert_eq!(
        app("excalidraw+excalidraw/").node.as_ref().unwrap().manager,
        NodeManager::Yarn
    );
    assert_eq!(
        app("hoppscotch+hoppscotch/").node.as_ref().unwrap().manager,
        NodeManager::Pnpm
    );
    let outline = app("outline+outline/").node.as_ref().unwrap();
    assert_eq!(
        (outline.manager, outline.yarn_berry),
        (NodeManager::Yarn, true)
    );
    // packages of a pnpm workspace: the root's lockfile
    let backend_node = app("hoppscotch+hoppscotch/packages/hoppscotch-backend")
        .node
        .as_ref()
        .unwrap();
    assert_eq!(backend_node.manager, NodeManager::Pnpm);
    assert_eq!(backend_node.workspace_files, vec!["pnpm-lock.yaml"]);
    match app("fastapi+full-stack-fastapi-template/").start_kind(&w("npm run dev")) {
        StartKind::Unknown(why) => assert!(why.contains("other packages"), "{why}"),
        other => panic!("{other:?}"),
    }
    // vite through node_modules/vite/bin/vite.js; nest build; vite dev
    assert_eq!(
        app("hoppscotch+hoppscotch/packages/hoppscotch-selfhost-web")
            .build_output()
            .unwrap()
            .dir,
        "dist"
    );
    let backend = app("hoppscotch+hoppscotch/packages/hoppscotch-backend");
    assert_eq!(backend.framework, Some(Framework::Nest));
    assert_eq!(
        backend.build_output().unwrap().entry.as_deref(),
        Some("dist/main.js")
    );
    assert!(matches!(
        backend.start_kind(&w("npm run start:dev")),
        StartKind::DevServer(_)
    ));
    assert_eq!(
        production(backend.start_kind(&w("npm run start:prod")))
            .file
            .as_deref(),
        Some("dist/main")
    );
    let hopp = app("hoppscotch+hoppscotch/");
    let s = production(hopp.start_kind(&w("npm start")));
    assert_eq!(
        s.served_dir.as_deref(),
        Some("packages/hoppscotch-selfhost-web/dist")
    );
    let example = app("excalidraw+excalidraw/examples/with-script-in-browser");
    assert!(matches!(
        example.start_kind(&w("npm start")),
        StartKind::DevServer(_)
    ));
    // a payment service started with --require
    let payment = app("open-telemetry+opentelemetry-demo/src/payment");
    assert_eq!(
        production(payment.start_kind(&w("npm start")))
            .file
            .as_deref(),
        Some("index.js")
    );
    assert!(matches!(
        app("open-telemetry+opentelemetry-demo/src/react-native-app").start_kind(&w("npm start")),
        StartKind::DevServer(_)
    ));
}

/// Every prefix of real config shapes (a file being typed, a truncated
/// read): facts or none, never a panic.
#[test]
fn truncated_files_never_panic() {
    let texts = [
        "import type { NextConfig } from \"next\";\nconst nextConfig: NextConfig = {\n  output: 'standalone', // é\n  images: { remotePatterns: [{ hostname: `x` }] },\n};\nexport default withX(nextConfig);\n",
        "module.exports = (phase, { defaultConfig }) => ({ ...defaultConfig, basePath: '/é' })\n",
        "export default defineConfig(({ mode }) => { return { root: 'src', build: { outDir: resolve(__dirname, '../dist') } } })\n",
        "{ \"projects\": { \"a\": { \"architect\": { \"build\": { \"builder\": \"@angular/build:application\", \"options\": { \"outputPath\": { \"base\": \"dist\" } } } } } } }",
        "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><AssemblyName>é</AssemblyName></PropertyGroup></Project>",
        "{ \"scripts\": { \"start\": \"sh -c 'npm run x && node \\\"a b.js\\\"'\", \"x\": \"yarn --cwd \" } }",
    ];
    for text in texts {
        for (end, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..end];
            for file in ["next.config.ts", "next.config.js"] {
                let c = NextConfig::read(file, prefix);
                if let Ok(edit) = &c.edit {
                    let _ = edit.apply(prefix);
                }
            }
            let _ = ViteConfig::read("vite.config.ts", prefix);
            let _ = AngularConfig::read(prefix);
            let _ = js::jsonc(prefix);
            let _ = langs::Xml::parse(prefix);
            let p = project(&[
                ("package.json", prefix),
                ("angular.json", prefix),
                ("vite.config.js", prefix),
            ]);
            for words in [w("npm start"), w("npm run x"), w("yarn build"), w(prefix)] {
                let _ = p.start_kind(&words);
                let _ = p.build_outputs_for(&words);
            }
        }
    }
}

/// The facts the split needs on the shapes issue 18 names, from the split
/// fixtures (skipped when a fixture is not there).
#[test]
fn the_split_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/split");
    let read = |name: &str| {
        let dir = root.join(name);
        dir.is_dir().then(|| {
            let files = DirFiles::new(dir);
            (Project::read(&files, ""), files)
        })
    };
    if let Some((p, _)) = read("cra-dev-server") {
        assert_eq!(p.build_output().unwrap().dir, "build");
        assert!(matches!(
            p.start_kind(&w("npm start")),
            StartKind::DevServer(_)
        ));
    }
    if let Some((p, _)) = read("cra-serve") {
        let s = production(p.start_kind(&w("npm start")));
        assert_eq!(
            (s.static_server, s.served_dir.as_deref()),
            (true, Some("build"))
        );
    }
    if let Some((p, files)) = read("node-build-script") {
        let out = p.build_outputs_in(&files, &w("node build.js"));
        assert_eq!(out[0].dir, "dist");
    }
    if let Some((p, _)) = read("mkdir-before-workdir") {
        assert_eq!(p.build_output().unwrap().dir, "dist");
    }
    if let Some((p, _)) = read("cargo-no-lock") {
        assert!(!p.cargo.as_ref().unwrap().lockfile);
    }
    if let Some((p, _)) = read("next-standalone-server") {
        assert!(p.next.as_ref().unwrap().standalone);
        assert_eq!(
            p.build_output().unwrap().entry.as_deref(),
            Some("server.js")
        );
    }
    if let Some((p, _)) = read("start-needs-dev") {
        let s = production(p.start_kind(&w("npm start")));
        assert!(s.dev_packages.contains(&"ts-node".to_string()), "{s:?}");
    }
    if let Some((p, _)) = read("lockfile-second-copy") {
        assert_eq!(
            p.node.as_ref().unwrap().lockfiles,
            vec!["package-lock.json"]
        );
    }
}

/// Commands made of the words these readers branch on, in every order a
/// small generator makes: an answer each time, never a panic.
#[test]
fn generated_commands_never_panic() {
    let vocabulary = [
        "npm",
        "yarn",
        "pnpm",
        "bun",
        "npx",
        "run",
        "start",
        "exec",
        "node",
        "-r",
        "--cwd",
        "sh",
        "-c",
        "vite",
        "build",
        "--",
        "x.js",
        "--watch",
        "deno",
        "python",
        "-m",
        "next",
        "ng",
        "serve",
        "-p",
        "tsc",
        "--outDir",
        "esbuild",
        "--outfile=",
        "webpack",
        "--config",
        "",
        "A=1",
        "cross-env",
        "dotenv",
        "./node_modules/.bin/vite",
        "node_modules/",
        "nuxt",
        "-w",
    ];
    let pkg = r#"{ "scripts": { "start": "npm run a", "a": "yarn b && node x.js", "b": "pnpm start", "build": "npm run build" } }"#;
    let p = project(&[
        ("package.json", pkg),
        ("x.js", "require('./x')"),
        ("tsconfig.json", "{"),
    ]);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut words = Vec::new();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = (seed >> 60) as usize;
        for _ in 0..len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            words.push(vocabulary[(seed >> 33) as usize % vocabulary.len()].to_string());
        }
        let _ = p.start_kind(&words);
        let _ = p.build_outputs_for(&words);
        let line = words.join(" ");
        let _ = words::commands(&line);
    }
}
