/**
 * iQDB for LangChain4j: {@link io.iqdb.langchain4j.IqdbEmbeddingStore}, an {@code
 * EmbeddingStore<TextSegment>} kept in an iQDB collection.
 */
package io.iqdb.langchain4j;
