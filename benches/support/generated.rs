//! The generated Dockerfiles the benchmarks and the devtools programs share:
//! `stages` stages of 11 lines each (a FROM on the previous stage, COPY
//! --from an earlier one, a RUN with a cache mount and continuations).

pub fn generated(stages: usize) -> String {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n");
    for i in 0..stages {
        let from = if i == 0 {
            "${BASE}".to_string()
        } else {
            format!("stage{}", i - 1)
        };
        text.push_str(&format!(
            "FROM {from} AS stage{i}\n\
             WORKDIR /app/{i}\n\
             ENV STAGE_{i}=value{i} MODE=production\n\
             COPY --from=stage{} /app/0 /opt/{i}\n\
             RUN --mount=type=cache,target=/root/.cache \\\n    echo building stage {i} && \\\n    make -j4 target{i}\n\
             LABEL org.example.stage=\"{i}\"\n\
             USER app\n\
             EXPOSE {}\n\n",
            i / 2,
            8000 + i % 1000
        ));
    }
    text
}
