//! SVG charts (plotters): per case, speedup over the sequential baseline
//! against threads, with ndpar's ideal line, the hand-written limit and
//! the peers; and one summary chart of every case.

use std::path::Path;

use plotters::prelude::*;

use crate::cases::Case;
use crate::measure::Role;
use crate::report::{baseline, best_peer, ndpar_best_threads, ndpar_on};

type Failure = Box<dyn std::error::Error>;

const PALETTE: [RGBColor; 8] = [
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];
const NDPAR: RGBColor = RGBColor(31, 119, 180);

/// The chart of one case: every variant's speedup over the baseline,
/// one line per variant measured on several thread counts and one marker
/// per variant measured on one.
pub fn case_chart(case: &Case, path: &Path) -> Result<(), Failure> {
    let Some(base) = baseline(case) else {
        return Ok(());
    };
    let max_threads = case.rows.iter().map(|r| r.threads).max().unwrap_or(1);
    let speed = |s: f64| base.seconds / s;
    let ideal_top = ndpar_on(case, 1).map_or(0.0, |o| speed(o.seconds) * max_threads as f64);
    let top = case
        .rows
        .iter()
        .map(|r| speed(r.seconds))
        .fold(ideal_top, f64::max)
        * 1.6;
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&case.title, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(0.5f64..max_threads as f64 + 0.5, 0f64..top.max(1.2))?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc(format!("speedup over {}", base.variant))
        .x_labels(max_threads.min(16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;
    if let Some(one) = ndpar_on(case, 1) {
        let s1 = speed(one.seconds);
        chart
            .draw_series(LineSeries::new(
                [(1.0, s1), (max_threads as f64, s1 * max_threads as f64)],
                NDPAR.mix(0.35).stroke_width(1),
            ))?
            .label("ndpar, ideal scaling")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], NDPAR.mix(0.35)));
    }
    let mut names: Vec<(&str, Role)> = Vec::new();
    for r in &case.rows {
        if !names.iter().any(|(n, _)| *n == r.variant) {
            names.push((&r.variant, r.role));
        }
    }
    let mut colour = 0;
    for (name, role) in names {
        let points: Vec<(f64, f64)> = case
            .rows
            .iter()
            .filter(|r| r.variant == name)
            .map(|r| (r.threads as f64, speed(r.seconds)))
            .collect();
        let c = if role == Role::Ndpar {
            NDPAR
        } else {
            colour += 1;
            PALETTE[(colour - 1) % PALETTE.len()]
        };
        let label = format!("{name} ({})", role.name());
        if points.len() > 1 {
            chart.draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?;
        }
        let marker = |p: (f64, f64)| -> DynElement<'static, _, (f64, f64)> {
            if role == Role::Peer {
                TriangleMarker::new(p, 6, c.filled()).into_dyn()
            } else {
                Circle::new(p, 4, c.filled()).into_dyn()
            }
        };
        chart
            .draw_series(points.into_iter().map(marker))?
            .label(label)
            .legend(move |(x, y)| marker_at((x + 9, y), role == Role::Peer, c));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()?;
    root.present()?;
    Ok(())
}

/// A legend marker: a triangle for peers, a circle otherwise (as in the
/// plot).
fn marker_at<DB: DrawingBackend>(
    p: (i32, i32),
    peer: bool,
    c: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    if peer {
        TriangleMarker::new(p, 6, c.filled()).into_dyn()
    } else {
        Circle::new(p, 4, c.filled()).into_dyn()
    }
}

/// One bar per case: ndpar on all threads against the best Python peer
/// (time of the peer over time of ndpar, log scale: right of 1 is ndpar
/// faster). Cases whose peer time is mostly call overhead are left out:
/// their ratios measure Python's calls, not the kernels.
pub fn summary_chart(cases: &[Case], path: &Path, subtitle: &str) -> Result<(), Failure> {
    let bars: Vec<(&str, f64)> = cases
        .iter()
        .filter(|c| !c.peer_time_is_call_overhead())
        .filter_map(|c| {
            let top = ndpar_best_threads(c)?;
            let peer = best_peer(c)?;
            Some((c.id, peer.seconds / top.seconds))
        })
        .collect();
    if bars.is_empty() {
        return Ok(());
    }
    let (lo, hi) = bars
        .iter()
        .fold((1.0f64, 1.0f64), |(lo, hi), b| (lo.min(b.1), hi.max(b.1)));
    let (lo, hi) = (lo / 1.6, hi * 1.6);
    let n = bars.len();
    let root = SVGBackend::new(path, (760, 80 + 24 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("ndpar vs the best Python peer ({subtitle})"),
            ("sans-serif", 14),
        )
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(110)
        .build_cartesian_2d((lo..hi).log_scale(), (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => bars[n - 1 - *i].0.to_string(),
            _ => String::new(),
        })
        .x_desc("speed of ndpar (all threads) over the best peer; right of 1: ndpar faster")
        .x_label_formatter(&|x| format!("{x}×"))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, &(_, ratio))| {
        let y = n - 1 - i;
        let colour = if ratio >= 1.0 { NDPAR } else { PALETTE[3] };
        let mut bar = Rectangle::new(
            [
                (1.0, SegmentValue::Exact(y)),
                (ratio, SegmentValue::Exact(y + 1)),
            ],
            colour.filled(),
        );
        bar.set_margin(3, 3, 0, 0);
        bar
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(
        [(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))],
        BLACK.stroke_width(1),
    )))?;
    root.present()?;
    Ok(())
}
