//! The Typst world of one document: the shared library, fonts and compiled templates of the
//! [`Engine`](super::Engine), plus this document's data at the fixed path `/data.json`.
//!
//! Typst interns every file id for the life of the process, so only the fixed set of paths
//! created at start-up is ever used: one per template, one per shared module, one for data.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use super::Engine;

/// What a single compilation sees.
pub(super) struct DocWorld<'a> {
    pub engine: &'a Engine,
    pub main: FileId,
    pub data: Bytes,
    pub today: Datetime,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.engine
            .sources
            .iter()
            .chain(&self.engine.integres)
            .find(|s| s.id() == id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.engine.data_id {
            return Ok(self.data.clone());
        }
        match self.engine.sources.iter().chain(&self.engine.integres).find(|s| s.id() == id) {
            Some(source) => Ok(Bytes::from_string(source.clone())),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
