package io.iqdb.recovery;

import java.io.IOException;
import org.apache.lucene.tests.store.MockDirectoryWrapper;

/**
 * A {@link MockDirectoryWrapper.Failure} that throws once, on the {@code n}-th call of one
 * directory method ({@code sync}, {@code createOutput}, {@code rename}, {@code deleteFile}, {@code
 * openInput}) or of an output's {@code writeBytes}.
 */
final class TargetedFailure extends MockDirectoryWrapper.Failure {
  static final String[] METHODS = {"sync", "createOutput", "rename", "deleteFile", "openInput", "writeBytes"};

  private final String method;
  private int left;

  TargetedFailure(String method, int n) {
    this.method = method;
    this.left = n;
    setDoFail();
  }

  @Override
  public void eval(MockDirectoryWrapper dir) throws IOException {
    if (!doFail) {
      return;
    }
    boolean hit = StackWalker.getInstance().walk(frames -> frames
        .anyMatch(f -> f.getMethodName().equals(method) && f.getClassName().startsWith("org.apache.lucene.tests.store.Mock")));
    if (hit && --left == 0) {
      clearDoFail();
      throw new IOException("injected failure of " + method);
    }
  }

  @Override
  public String toString() {
    return "fail " + method + " once";
  }
}
