//! Charts drawn as inline SVG on the server: no script, no chart library in the page, and they print. Each is a
//! picture of a table the page shows beside it (`role="img"` with its `label`), so screen readers and copying use
//! the table. Their colours are the theme's (`charts.css`). Texts come in already translated and formatted. A
//! chart narrower than it is drawn scrolls sideways, so it takes the keyboard's focus too.

use leptos::prelude::*;

/// The width every chart is drawn at; the SVG scales to its container.
const WIDTH: f64 = 640.0;

/// One bar, or one part of a stacked column: its value, and the value as the page writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub value: i64,
    pub shown: String,
}

/// Horizontal bars, one group per row, one bar per series (now against then, say), each with its amount written
/// at its end.
#[component]
pub fn BarChart(
    /// What the chart shows, for screen readers.
    label: String,
    /// The series' names, for the legend, in the order of each row's amounts.
    series: Vec<String>,
    /// Each row's name and its amounts, one per series.
    rows: Vec<(String, Vec<Amount>)>,
) -> impl IntoView {
    const LABELS: f64 = 170.0;
    const BAR: f64 = 14.0;
    const GAP: f64 = 12.0;
    let per_row = BAR * series.len() as f64 + GAP;
    let height = per_row * rows.len() as f64 + 8.0;
    let most = rows
        .iter()
        .flat_map(|(_, amounts)| amounts.iter().map(|amount| amount.value))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    // Room for the widest amount written after the longest bar (about 7 units a character at the chart's size).
    let widest = rows
        .iter()
        .flat_map(|(_, amounts)| amounts.iter().map(|amount| amount.shown.chars().count()))
        .max()
        .unwrap_or(0);
    let room = WIDTH - LABELS - 14.0 - 7.0 * widest as f64;
    view! {
        <figure class="rapport-chart" tabindex="0">
            <svg class="rapport-chart__svg" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=label>
                {rows.into_iter().enumerate().map(|(row, (name, amounts))| {
                    let top = row as f64 * per_row + 4.0;
                    view! {
                        <text class="rapport-chart__label" x=LABELS - 8.0 y=top + per_row / 2.0 - 2.0 text-anchor="end">{name}</text>
                        {amounts.into_iter().enumerate().map(|(index, amount)| {
                            let y = top + index as f64 * BAR;
                            let length = (amount.value.max(0) as f64 / most * room).max(1.0);
                            view! {
                                <rect class=format!("rapport-chart__series-{index}") x=LABELS y=y width=length height=BAR - 2.0 rx="2" />
                                <text class="rapport-chart__amount" x=LABELS + length + 6.0 y=y + BAR - 4.0>{amount.shown}</text>
                            }
                        }).collect_view()}
                    }
                }).collect_view()}
            </svg>
            <Legend series />
        </figure>
    }
}

/// A column of [`StackedColumns`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Written under the column (`Mar`).
    pub name: String,
    /// What the column belongs to (`2026`), written under its name where it changes.
    pub group: String,
    /// Its parts, one per series, bottom first.
    pub parts: Vec<i64>,
    /// Its total, as written above it.
    pub total: String,
}

/// Columns, one per period, each a stack of its series (new and returning, say), with the stack's total above it.
/// Names and totals are written on every column while they fit, else on every few, each group (a year) under the
/// first column named in it.
#[component]
pub fn StackedColumns(label: String, series: Vec<String>, columns: Vec<Column>) -> impl IntoView {
    const HEIGHT: f64 = 240.0;
    const AXIS: f64 = 36.0;
    const TOP: f64 = 18.0;
    let most = columns
        .iter()
        .map(|column| column.parts.iter().map(|part| part.max(&0)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    // A margin each side, for the first and last columns' words.
    const SIDE: f64 = 18.0;
    let step = (WIDTH - 2.0 * SIDE) / columns.len().max(1) as f64;
    let bar = (step * 0.7).min(48.0);
    let room = HEIGHT - AXIS - TOP;
    let every = columns.len().div_ceil(13).max(1);
    let mut last_group: Option<String> = None;
    let drawn = columns
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            let x = SIDE + index as f64 * step + (step - bar) / 2.0;
            let centre = x + bar / 2.0;
            let mut base = HEIGHT - AXIS;
            let stack = column
                .parts
                .iter()
                .enumerate()
                .map(|(series, part)| {
                    let height = (*part).max(0) as f64 / most * room;
                    base -= height;
                    view! { <rect class=format!("rapport-chart__series-{series}") x=x y=base width=bar height=height /> }
                })
                .collect_view();
            let named = index % every == 0;
            let group = (named && last_group.as_ref() != Some(&column.group)).then(|| column.group.clone());
            if named {
                last_group = Some(column.group.clone());
            }
            view! {
                {stack}
                {named.then(|| view! {
                    <text class="rapport-chart__amount" x=centre y=base - 4.0 text-anchor="middle">{column.total.clone()}</text>
                    <text class="rapport-chart__label" x=centre y=HEIGHT - 20.0 text-anchor="middle">{column.name.clone()}</text>
                })}
                {group.map(|group| view! {
                    <text class="rapport-chart__label" x=centre y=HEIGHT - 5.0 text-anchor="middle">{group}</text>
                })}
            }
        })
        .collect_view();
    view! {
        <figure class="rapport-chart" tabindex="0">
            <svg class="rapport-chart__svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <line class="rapport-chart__axis" x1="0" x2=WIDTH y1=HEIGHT - AXIS y2=HEIGHT - AXIS />
                {drawn}
            </svg>
            <Legend series />
        </figure>
    }
}

/// A row of a [`HeatMap`]: its name and its cells, each a share and the share as written, or none.
pub type HeatRow = (String, Vec<Option<(f64, String)>>);

/// A grid of shares from 0 to 1, each cell as dark as its share with the share written in it; a missing cell
/// (a month yet to come) is left empty.
#[component]
pub fn HeatMap(
    label: String,
    /// The columns' names.
    columns: Vec<String>,
    rows: Vec<HeatRow>,
) -> impl IntoView {
    const LABELS: f64 = 80.0;
    const HEAD: f64 = 22.0;
    const CELL_HEIGHT: f64 = 24.0;
    let cell = (WIDTH - LABELS) / columns.len().max(1) as f64;
    let height = HEAD + CELL_HEIGHT * rows.len() as f64;
    view! {
        <figure class="rapport-chart" tabindex="0">
            <svg class="rapport-chart__svg" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=label>
                {columns.into_iter().enumerate().map(|(index, name)| view! {
                    <text class="rapport-chart__label" x=LABELS + (index as f64 + 0.5) * cell y=HEAD - 8.0 text-anchor="middle">{name}</text>
                }).collect_view()}
                {rows.into_iter().enumerate().map(|(row, (name, cells))| {
                    let y = HEAD + row as f64 * CELL_HEIGHT;
                    view! {
                        <text class="rapport-chart__label" x=LABELS - 8.0 y=y + CELL_HEIGHT / 2.0 + 4.0 text-anchor="end">{name}</text>
                        {cells.into_iter().enumerate().filter_map(|(index, filled)| filled.map(|(share, shown)| {
                            let x = LABELS + index as f64 * cell;
                            // At most half the accent's strength: the theme's text reads on every cell, in both
                            // themes (4.5:1 and more).
                            view! {
                                <rect class="rapport-chart__heat" x=x + 1.0 y=y + 1.0 width=cell - 2.0 height=CELL_HEIGHT - 2.0
                                    fill-opacity=format!("{:.2}", 0.05 + share.clamp(0.0, 1.0) * 0.45) />
                                <text class="rapport-chart__amount" x=x + cell / 2.0 y=y + CELL_HEIGHT / 2.0 + 4.0 text-anchor="middle">{shown}</text>
                            }
                        })).collect_view()}
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

#[component]
fn Legend(series: Vec<String>) -> impl IntoView {
    (series.len() > 1).then(|| {
        view! {
            <figcaption class="rapport-chart__legend">
                {series.into_iter().enumerate().map(|(index, name)| view! {
                    <span><svg class="rapport-chart__key" viewBox="0 0 10 10" aria-hidden="true">
                        <rect class=format!("rapport-chart__series-{index}") width="10" height="10" rx="2" />
                    </svg>{name}</span>
                }).collect_view()}
            </figcaption>
        }
    })
}
