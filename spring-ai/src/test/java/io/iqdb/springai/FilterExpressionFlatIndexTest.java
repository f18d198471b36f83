package io.iqdb.springai;

import io.iqdb.IndexSpec;

/** {@link FilterExpressionTest} on a collection with exact search. */
class FilterExpressionFlatIndexTest extends FilterExpressionTest {

  @Override
  IndexSpec index() {
    return IndexSpec.flat();
  }
}
