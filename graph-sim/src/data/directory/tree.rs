//! The shape of the manager tree: places ("positions") in a complete tree where every place has
//! [`SPAN`] places below it, numbered level by level as in a heap. Position 0 is the top; the
//! parent of position p is (p - 1) / SPAN. Who sits where, and who is skipped, is decided in
//! `mod.rs`; this module is only arithmetic, so any position's chain costs a few divisions and
//! no memory.

/// Direct reports per manager in the generated tree: five gives a tree six levels deep at 2,000
/// people and nine at 100,000, without any manager having an unrealistic team.
pub const SPAN: u32 = 5;

/// The first position two levels below the top. Each position at this depth heads a unit that
/// belongs to one department (`org.rs`), and Ada Manager sits at the first of them.
pub const FIRST_UNIT: u32 = 1 + SPAN;

pub fn parent(position: u32) -> Option<u32> {
    (position > 0).then(|| (position - 1) / SPAN)
}

/// Levels above `position`: 0 for the top.
pub fn depth(position: u32) -> u32 {
    std::iter::successors(parent(position), |&p| parent(p)).count() as u32
}

/// The ancestor of `position` at `level` levels below the top, or `position` itself when it is
/// not deeper than that.
pub fn ancestor_at(position: u32, level: u32) -> u32 {
    let above = depth(position).saturating_sub(level);
    (0..above).fold(position, |p, _| parent(p).unwrap_or(p))
}

/// The positions below `head`, level by level (nearest first), that are less than `end`.
pub fn below(head: u32, end: u32) -> impl Iterator<Item = u32> {
    // The places below a level's range (first, last) are one contiguous range too.
    let next_level = |(first, last): (u32, u32)| {
        (
            first.saturating_mul(SPAN).saturating_add(1),
            last.saturating_mul(SPAN).saturating_add(SPAN),
        )
    };
    std::iter::successors(Some(next_level((head, head))), move |&level| {
        Some(next_level(level))
    })
    .take_while(move |&(first, _)| first < end)
    .flat_map(move |(first, last)| first..=last.min(end - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_depths_and_ancestors_follow_the_heap() {
        assert_eq!(parent(0), None);
        assert_eq!(
            (parent(1), parent(5), parent(6), parent(30)),
            (Some(0), Some(0), Some(1), Some(5))
        );
        assert_eq!(
            (depth(0), depth(5), depth(6), depth(30), depth(31)),
            (0, 1, 2, 2, 3)
        );
        assert_eq!(ancestor_at(31, 2), FIRST_UNIT);
        assert_eq!(ancestor_at(3, 2), 3);
        assert_eq!(ancestor_at(156, 1), 1);
    }

    #[test]
    fn below_lists_every_descendant_once_nearest_first() {
        let listed: Vec<u32> = below(FIRST_UNIT, 2000).collect();
        assert_eq!(&listed[..6], &[31, 32, 33, 34, 35, 156]);
        // Three full levels below a depth-2 position: 5 + 25 + 125.
        assert_eq!(listed.len(), 155);
        assert!(listed.iter().all(|&p| ancestor_at(p, 2) == FIRST_UNIT));
        assert_eq!(
            below(FIRST_UNIT, 40).collect::<Vec<_>>(),
            [31, 32, 33, 34, 35]
        );
        assert_eq!(below(7, 20).count(), 0);
        assert_eq!(below(0, 1).count(), 0);
    }
}
