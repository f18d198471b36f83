/** Spring Boot auto-configuration of {@link io.iqdb.springai.IqdbVectorStore} (optional). */
package io.iqdb.springai.autoconfigure;
