//! The measuring harness: each competitor is calibrated to a rep length, then all
//! competitors of a group run round-robin for several reps; the table gives the median
//! ns per op, the spread, and the ratio to the group's reference row.

use std::time::{Duration, Instant};

pub struct Config {
    pub rep: Duration,
    pub reps: usize,
}

impl Config {
    pub fn from_env() -> Config {
        if std::env::var_os("WEFT_BENCH_QUICK").is_some() {
            Config {
                rep: Duration::from_millis(5),
                reps: 2,
            }
        } else {
            Config {
                rep: Duration::from_millis(150),
                reps: 7,
            }
        }
    }
}

/// Runs `n` operations and returns the time they took.
pub type Body<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

pub struct Row<'a> {
    pub name: String,
    pub body: Body<'a>,
    /// (reference row index, target ratio) this row is judged against, if any.
    pub target: Option<(usize, f64)>,
}

pub fn row<'a>(name: &str, body: impl FnMut(u64) -> Duration + 'a) -> Row<'a> {
    Row {
        name: name.to_owned(),
        body: Box::new(body),
        target: None,
    }
}

impl<'a> Row<'a> {
    pub fn target(mut self, reference: usize, ratio: f64) -> Self {
        self.target = Some((reference, ratio));
        self
    }
}

/// Times a closure over `n` iterations.
pub fn timed(n: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

fn calibrate(body: &mut Body, rep: Duration) -> u64 {
    let mut n = 16;
    loop {
        let took = body(n);
        if took >= rep / 4 || n > 1 << 34 {
            let per = took.as_secs_f64() / n as f64;
            return ((rep.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        n *= 4;
    }
}

pub struct Results {
    pub medians: Vec<f64>,
}

/// Runs a group and prints its markdown table. `per_op_divisor` turns one iteration into
/// the unit reported (2 for a round trip reported per hop).
pub fn group(title: &str, cfg: &Config, per_op_divisor: f64, mut rows: Vec<Row>) -> Results {
    let counts: Vec<u64> = rows
        .iter_mut()
        .map(|r| calibrate(&mut r.body, cfg.rep))
        .collect();
    let mut samples = vec![Vec::new(); rows.len()];
    for _ in 0..cfg.reps {
        for (i, r) in rows.iter_mut().enumerate() {
            let took = (r.body)(counts[i]);
            samples[i].push(took.as_nanos() as f64 / counts[i] as f64 / per_op_divisor);
        }
    }
    let stats: Vec<(f64, f64, f64)> = samples
        .iter_mut()
        .map(|s| {
            s.sort_by(|a, b| a.partial_cmp(b).unwrap());
            (s[s.len() / 2], s[0], s[s.len() - 1])
        })
        .collect();
    println!("\n### {title}\n");
    println!("| bench | median ns/op | min..max | ratio to row 1 | target |");
    println!("|---|---:|---|---:|---|");
    for (i, r) in rows.iter().enumerate() {
        let (median, min, max) = stats[i];
        let target = match r.target {
            None => String::new(),
            Some((reference, ratio)) => {
                let actual = median / stats[reference].0;
                let verdict = if actual <= ratio { "MET" } else { "NOT MET" };
                format!(
                    "≤ {ratio:.2}× {}: {actual:.2}× {verdict}",
                    rows[reference].name
                )
            }
        };
        println!(
            "| {} | {:.1} | {:.1}..{:.1} | {:.2}× | {} |",
            r.name,
            median,
            min,
            max,
            median / stats[0].0,
            target
        );
    }
    Results {
        medians: stats.iter().map(|s| s.0).collect(),
    }
}

/// Pins the calling thread to one CPU (ignored where affinity cannot be set).
pub fn pin(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; we pass its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu % num_cpus(), &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

pub fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
