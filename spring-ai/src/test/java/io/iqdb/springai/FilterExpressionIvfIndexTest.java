package io.iqdb.springai;

import io.iqdb.IndexSpec;

/** {@link FilterExpressionTest} on a collection with iQDB's IVF format, which applies filters inside its posting lists. */
class FilterExpressionIvfIndexTest extends FilterExpressionTest {

  @Override
  IndexSpec index() {
    return IndexSpec.ivf();
  }
}
