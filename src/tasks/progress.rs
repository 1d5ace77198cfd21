//! The optional progress bar of a [`Parallel`](crate::Parallel) run: an
//! indicatif bar on stderr (count, rate, time left), drawn only when the
//! `progress` feature is on, the run asked for it, and stderr is a
//! terminal. Otherwise every method does nothing.

#[cfg(feature = "progress")]
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

#[cfg(feature = "progress")]
impl Bar {
    pub(crate) fn new(on: bool, len: u64) -> Bar {
        use std::io::IsTerminal;
        if !on || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} tasks  {per_sec}  eta {eta}",
        ) {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }

    pub(crate) fn inc(&self, by: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(by);
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(not(feature = "progress"))]
pub(crate) struct Bar;

#[cfg(not(feature = "progress"))]
impl Bar {
    pub(crate) fn new(_on: bool, _len: u64) -> Bar {
        Bar
    }
    pub(crate) fn inc(&self, _by: u64) {}
    pub(crate) fn finish(&self) {}
}
