//! A range's facts described by small numbers: each fact's user, currency, usage location and
//! destination as an index into the range's own tables, read from the keys once. The index's
//! groupings then count with integers instead of reading strings behind pointers again (each
//! of a key's strings is an allocation of its own: reading them for every grouping was most of
//! a long range's build). Pure: no I/O.
use foldhash::{HashMap, HashMapExt};

use super::facts::Fact;

/// One fact's indexes into [`Dims`]' tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FactDims {
    /// Users are numbered in order of first sight (only told apart, never listed from here).
    pub user: u32,
    pub currency: u32,
    pub location: u32,
    pub destination: u32,
}

/// The tables, each sorted (so a smaller index is a name that sorts first), and each fact's
/// indexes, in the facts' order.
#[derive(Debug, Default)]
pub(super) struct Dims {
    pub facts: Vec<FactDims>,
    pub currencies: Vec<String>,
    pub locations: Vec<String>,
    pub destinations: Vec<String>,
}

impl Dims {
    pub fn of(facts: &[Fact]) -> Self {
        let mut users: HashMap<&str, u32> = HashMap::with_capacity(facts.len());
        let (mut currencies, mut locations, mut destinations) =
            (Table::default(), Table::default(), Table::default());
        let mut dims: Vec<FactDims> = facts
            .iter()
            .map(|fact| {
                let next = users.len() as u32;
                FactDims {
                    user: *users.entry(fact.user_id()).or_insert(next),
                    currency: currencies.id(fact.currency()),
                    location: locations.id(fact.location()),
                    destination: destinations.id(fact.destination()),
                }
            })
            .collect();
        let (currencies, currency_of) = currencies.sorted();
        let (locations, location_of) = locations.sorted();
        let (destinations, destination_of) = destinations.sorted();
        for fact in &mut dims {
            fact.currency = currency_of[fact.currency as usize];
            fact.location = location_of[fact.location as usize];
            fact.destination = destination_of[fact.destination as usize];
        }
        Dims {
            facts: dims,
            currencies,
            locations,
            destinations,
        }
    }
}

/// Names numbered in order of first sight.
#[derive(Default)]
struct Table<'a> {
    ids: HashMap<&'a str, u32>,
    names: Vec<&'a str>,
}

impl<'a> Table<'a> {
    fn id(&mut self, name: &'a str) -> u32 {
        let next = self.names.len() as u32;
        *self.ids.entry(name).or_insert_with(|| {
            self.names.push(name);
            next
        })
    }

    /// The names sorted, and for each first-sight number its index among them.
    fn sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by_key(|id| self.names[*id as usize]);
        let mut index_of = vec![0u32; order.len()];
        for (index, id) in order.iter().enumerate() {
            index_of[*id as usize] = index as u32;
        }
        let names = order
            .iter()
            .map(|id| self.names[*id as usize].to_string())
            .collect();
        (names, index_of)
    }
}

#[cfg(test)]
mod tests {
    use graph_client::DialoutRow;

    use super::*;

    fn fact(user: Option<&str>, location: &str, currency: &str) -> Fact {
        let row = DialoutRow {
            user_id: user.map(Into::into),
            usage_location: Some(location.into()),
            destination_context: Some("Domestic".into()),
            currency: Some(currency.into()),
            ..DialoutRow::default()
        };
        Fact::from_row(&row, chrono::NaiveDate::MIN)
    }

    #[test]
    fn tables_are_sorted_and_every_fact_points_at_its_names() {
        let facts = [
            fact(Some("u2"), "US", "USD"),
            fact(Some("u1"), "BR", "BRL"),
            fact(Some("u2"), "BR", "USD"),
            fact(None, "JP", "JPY"),
        ];
        let dims = Dims::of(&facts);
        assert_eq!(dims.currencies, ["BRL", "JPY", "USD"]);
        assert_eq!(dims.locations, ["BR", "JP", "US"]);
        assert_eq!(dims.destinations, ["Domestic"]);
        for (fact, at) in facts.iter().zip(&dims.facts) {
            assert_eq!(dims.currencies[at.currency as usize], fact.currency());
            assert_eq!(dims.locations[at.location as usize], fact.location());
        }
        let users: Vec<u32> = dims.facts.iter().map(|at| at.user).collect();
        // The same user, the same number; a missing user id is a user of its own.
        assert_eq!(users, [0, 1, 0, 2]);
    }
}
