//! Typed indices into a plan (a node's, an edge's, a group's) and the vectors they index, so
//! one kind of index cannot be used where another is meant.

use std::marker::PhantomData;

/// A position in an [`IndexVec`].
pub(crate) trait Idx: Copy {
    /// The index at `position`.
    fn new(position: usize) -> Self;
    /// Its position.
    fn position(self) -> usize;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(usize);

        impl Idx for $name {
            fn new(position: usize) -> Self {
                Self(position)
            }

            fn position(self) -> usize {
                self.0
            }
        }
    };
}

index_type!(
    /// A node: its position in the graph's `nodes`.
    NodeIndex
);
index_type!(
    /// An edge: its position among the plan's edges (dangling ones left out).
    EdgeIndex
);
index_type!(
    /// A group (a sub-flow or a loop): its position in the plan's `groups`.
    GroupIndex
);

/// A `Vec` indexed by `I` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexVec<I, T> {
    items: Vec<T>,
    index: PhantomData<fn(I)>,
}

impl<I, T> Default for IndexVec<I, T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: PhantomData,
        }
    }
}

impl<I: Idx, T> IndexVec<I, T> {
    /// `len` copies of `value`.
    pub(crate) fn filled(value: T, len: usize) -> Self
    where
        T: Clone,
    {
        vec![value; len].into_iter().collect()
    }

    /// How many items there are.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends `item`; returns its index.
    pub(crate) fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    /// The item at `index`, if there is one.
    pub(crate) fn get(&self, index: I) -> Option<&T> {
        self.items.get(index.position())
    }

    /// Every index, in order.
    pub(crate) fn indices(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    /// The items, in order.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items with their indices, in order.
    pub(crate) fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        self.items
            .iter()
            .enumerate()
            .map(|(position, item)| (I::new(position), item))
    }

    /// The items with their indices, in order, mutably.
    pub(crate) fn iter_enumerated_mut(&mut self) -> impl Iterator<Item = (I, &mut T)> {
        self.items
            .iter_mut()
            .enumerate()
            .map(|(position, item)| (I::new(position), item))
    }
}

impl<I: Idx, T> std::ops::Index<I> for IndexVec<I, T> {
    type Output = T;

    fn index(&self, index: I) -> &T {
        &self.items[index.position()]
    }
}

impl<I: Idx, T> std::ops::IndexMut<I> for IndexVec<I, T> {
    fn index_mut(&mut self, index: I) -> &mut T {
        &mut self.items[index.position()]
    }
}

impl<I, T> FromIterator<T> for IndexVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(items: It) -> Self {
        Self {
            items: items.into_iter().collect(),
            index: PhantomData,
        }
    }
}
