//! Choosing between findings that overlap. A credential wins over anything else (so
//! `password=alice@acme.io` is one secret, not an e-mail address); otherwise the longest wins
//! (an e-mail address over the hostname inside it), then the earlier one, then the more
//! specific detector (a user rule over a built-in of the same span). A finding that touches a
//! Flow template (`{{…}}`) is dropped: templates are references the flow needs, not data.

use std::collections::BTreeMap;

use super::detectors::Finding;

/// Non-overlapping findings, keyed by their start.
#[derive(Debug, Default)]
pub(super) struct Chosen<'k> {
    by_start: BTreeMap<usize, Finding<'k>>,
}

impl<'k> Chosen<'k> {
    /// Keeps `finding` unless it is empty or overlaps one already kept; says whether it did.
    pub(super) fn try_insert(&mut self, finding: Finding<'k>) -> bool {
        if finding.start >= finding.end || self.overlaps(finding.start, finding.end) {
            return false;
        }
        self.by_start.insert(finding.start, finding);
        true
    }

    /// Whether `start..end` overlaps a kept finding. Kept findings are disjoint, so only the
    /// last one starting before `end` can reach into the span.
    pub(super) fn overlaps(&self, start: usize, end: usize) -> bool {
        self.by_start
            .range(..end)
            .next_back()
            .is_some_and(|(_, kept)| kept.end > start)
    }

    /// The kept findings in text order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Finding<'k>> {
        self.by_start.values()
    }
}

/// The findings that survive, given `templates` (sorted, disjoint `{{…}}` spans).
pub(super) fn resolve<'k>(
    mut findings: Vec<Finding<'k>>,
    templates: &[(usize, usize)],
) -> Chosen<'k> {
    findings.sort_by(|a, b| {
        b.credential
            .cmp(&a.credential)
            .then(b.len().cmp(&a.len()))
            .then(a.start.cmp(&b.start))
            .then(a.rank.cmp(&b.rank))
    });
    let mut chosen = Chosen::default();
    for finding in findings {
        if touches_template(&finding, templates) {
            continue;
        }
        chosen.try_insert(finding);
    }
    chosen
}

/// Whether `finding` overlaps one of the sorted, disjoint `templates`.
fn touches_template(finding: &Finding<'_>, templates: &[(usize, usize)]) -> bool {
    // The first template ending after the finding starts is the only one that can overlap.
    let index = templates.partition_point(|&(_, end)| end <= finding.start);
    templates
        .get(index)
        .is_some_and(|&(start, _)| start < finding.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        start: usize,
        end: usize,
        kind: &'static str,
        credential: bool,
        rank: u16,
    ) -> Finding<'static> {
        Finding {
            start,
            end,
            kind,
            credential,
            rank,
        }
    }

    fn kept(chosen: &Chosen<'static>) -> Vec<(usize, usize, &'static str)> {
        chosen.iter().map(|f| (f.start, f.end, f.kind)).collect()
    }

    #[test]
    fn a_credential_beats_a_longer_finding() {
        let chosen = resolve(
            vec![
                finding(0, 20, "EMAIL", false, 1000),
                finding(5, 10, "SECRET", true, 4),
            ],
            &[],
        );
        assert_eq!(kept(&chosen), vec![(5, 10, "SECRET")]);
    }

    #[test]
    fn the_longest_then_the_earliest_then_the_lowest_rank_wins() {
        let chosen = resolve(
            vec![
                finding(6, 10, "HOSTNAME", false, 1003),
                finding(0, 10, "EMAIL", false, 1000),
                finding(12, 16, "HOSTNAME", false, 1003),
                finding(14, 18, "EMAIL", false, 1000),
                finding(20, 24, "HOSTNAME", false, 1003),
                finding(20, 24, "RULE", false, 100),
            ],
            &[],
        );
        assert_eq!(
            kept(&chosen),
            vec![(0, 10, "EMAIL"), (12, 16, "HOSTNAME"), (20, 24, "RULE")]
        );
    }

    #[test]
    fn findings_touching_a_template_are_dropped() {
        let chosen = resolve(
            vec![
                finding(0, 4, "RULE", false, 100),
                finding(8, 12, "RULE", false, 100),
                finding(18, 22, "RULE", false, 100),
                finding(30, 34, "RULE", false, 100),
            ],
            &[(3, 6), (10, 20)],
        );
        assert_eq!(kept(&chosen), vec![(30, 34, "RULE")]);
    }

    #[test]
    fn overlap_checks_both_neighbours() {
        let mut chosen = Chosen::default();
        assert!(chosen.try_insert(finding(10, 20, "RULE", false, 100)));
        assert!(!chosen.try_insert(finding(5, 11, "RULE", false, 100)));
        assert!(!chosen.try_insert(finding(19, 25, "RULE", false, 100)));
        assert!(!chosen.try_insert(finding(12, 14, "RULE", false, 100)));
        assert!(!chosen.try_insert(finding(0, 30, "RULE", false, 100)));
        assert!(!chosen.try_insert(finding(3, 3, "RULE", false, 100)));
        assert!(chosen.try_insert(finding(5, 10, "RULE", false, 100)));
        assert!(chosen.try_insert(finding(20, 25, "RULE", false, 100)));
        assert_eq!(chosen.iter().count(), 3);
    }
}
