//! The personalised home feed: "Recommended for you", "Because you viewed X", "Customers who bought this also
//! bought". Its core is item-to-item collaborative filtering (Linden, Smith and York, 2003): products are similar
//! when the same shoppers want both, measured once in the background, so that serving a shopper merges the short
//! neighbour lists of what they recently did instead of scanning everyone's history.
//!
//! [`similarity`] holds the rules as plain functions; [`evaluation`] measures them offline against popularity and
//! chance on held-out purchases.

pub mod evaluation;
pub mod similarity;
