//! Progress of long work on stderr: loading the large demo data takes over an hour, and a command that prints
//! nothing that long looks hung. On a terminal it is a bar (indicatif); anywhere else (CI, a log file) a line at
//! every tenth of the way or half a minute, whichever comes first, which a bar would fill with redraws.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Reports a phase of `total` steps when it starts, as it goes, and when it ends.
pub struct Progress {
    phase: &'static str,
    total: usize,
    started: Instant,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines {
        next_step: usize,
        next_time: Instant,
    },
}

const EVERY: Duration = Duration::from_secs(30);

impl Progress {
    pub fn start(phase: &'static str, total: usize) -> Progress {
        let now = Instant::now();
        let shown = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total as u64).with_message(phase);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:>24} [{bar:32}] {human_pos}/{human_len} {percent:>3}% {elapsed} (about {eta} left)",
                )
                .expect("the template is fixed")
                .progress_chars("=> "),
            );
            Shown::Bar(bar)
        } else {
            tracing::info!(phase, total, "started");
            Shown::Lines {
                next_step: step(total),
                next_time: now + EVERY,
            }
        };
        Progress {
            phase,
            total,
            started: now,
            shown,
        }
    }

    /// `done` of the total steps are done.
    pub fn at(&mut self, done: usize) {
        match &mut self.shown {
            Shown::Bar(bar) => bar.set_position(done as u64),
            Shown::Lines {
                next_step,
                next_time,
            } => {
                let now = Instant::now();
                if done < *next_step && now < *next_time {
                    return;
                }
                tracing::info!(
                    phase = self.phase,
                    done,
                    total = self.total,
                    percent = done * 100 / self.total.max(1),
                    seconds = self.started.elapsed().as_secs_f64(),
                    "progress"
                );
                while *next_step <= done {
                    *next_step += step(self.total);
                }
                *next_time = now + EVERY;
            }
        }
    }

    pub fn finish(self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
        let seconds = self.started.elapsed().as_secs_f64();
        tracing::info!(phase = self.phase, total = self.total, seconds, "done");
    }
}

/// A tenth of the way, at least one step.
fn step(total: usize) -> usize {
    total.div_ceil(10).max(1)
}
