/** A Spring AI {@code VectorStore} on iQDB: {@link io.iqdb.springai.IqdbVectorStore}. */
package io.iqdb.springai;
