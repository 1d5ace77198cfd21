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
        * 1.15;
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
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
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

/// One horizontal pair of bars per case: ndpar on all threads and the best
/// peer, as speedups over the case's sequential baseline (log scale).
pub fn summary_chart(cases: &[Case], path: &Path, subtitle: &str) -> Result<(), Failure> {
    let bars: Vec<(&str, f64, Option<f64>)> = cases
        .iter()
        .filter_map(|c| {
            let base = baseline(c)?;
            let top = ndpar_best_threads(c)?;
            let peer = best_peer(c).map(|p| base.seconds / p.seconds);
            Some((c.id, base.seconds / top.seconds, peer))
        })
        .collect();
    if bars.is_empty() {
        return Ok(());
    }
    let values = bars.iter().flat_map(|b| [Some(b.1), b.2]).flatten();
    let (lo, hi) = values.fold((1.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let n = bars.len();
    let root = SVGBackend::new(path, (760, 90 + 26 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Speedup over the sequential baseline — {subtitle}"),
            ("sans-serif", 14),
        )
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(110)
        .build_cartesian_2d((lo / 1.5..hi * 1.5).log_scale(), 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = (n as f64 - y - 0.5).round();
            if (y - (n as f64 - i - 0.5)).abs() < 0.01 && i >= 0.0 && (i as usize) < n {
                bars[i as usize].0.to_string()
            } else {
                String::new()
            }
        })
        .x_desc("speedup (log scale); 1 = the sequential baseline")
        .draw()?;
    let row = |i: usize| (n - 1 - i) as f64;
    let base = lo / 1.5;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = row(i);
            Rectangle::new([(base, y + 0.5), (b.1, y + 0.88)], NDPAR.filled())
        }))?
        .label("ndpar, all threads")
        .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], NDPAR.filled()));
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let y = row(i);
            b.2.map(|p| Rectangle::new([(base, y + 0.12), (p, y + 0.5)], PALETTE[3].filled()))
        }))?
        .label("best Python peer")
        .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], PALETTE[3].filled()));
    chart.draw_series(std::iter::once(PathElement::new(
        [(1.0, 0.0), (1.0, n as f64)],
        BLACK.stroke_width(1),
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()?;
    Ok(())
}
