/** The iQDB Lucene codec and its vector formats. */
package io.iqdb.codecs;
