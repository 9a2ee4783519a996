//! Progress of long work on stderr: loading the large demo data takes over an hour, and a command that prints
//! nothing that long looks hung.

use std::time::{Duration, Instant};

/// Reports a phase of `total` steps when it starts, at every tenth of the way or half a minute (whichever comes
/// first), and when it ends.
pub struct Progress {
    phase: &'static str,
    total: usize,
    started: Instant,
    next_step: usize,
    next_time: Instant,
}

const EVERY: Duration = Duration::from_secs(30);

impl Progress {
    pub fn start(phase: &'static str, total: usize) -> Progress {
        tracing::info!(phase, total, "started");
        let now = Instant::now();
        Progress {
            phase,
            total,
            started: now,
            next_step: total.div_ceil(10).max(1),
            next_time: now + EVERY,
        }
    }

    /// `done` of the total steps are done.
    pub fn at(&mut self, done: usize) {
        let now = Instant::now();
        if done < self.next_step && now < self.next_time {
            return;
        }
        let percent = done * 100 / self.total.max(1);
        let seconds = self.started.elapsed().as_secs_f64();
        tracing::info!(
            phase = self.phase,
            done,
            total = self.total,
            percent,
            seconds,
            "progress"
        );
        while self.next_step <= done {
            self.next_step += self.total.div_ceil(10).max(1);
        }
        self.next_time = now + EVERY;
    }

    pub fn finish(self) {
        let seconds = self.started.elapsed().as_secs_f64();
        tracing::info!(phase = self.phase, total = self.total, seconds, "done");
    }
}
