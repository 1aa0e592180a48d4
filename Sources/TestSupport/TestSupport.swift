/// Shared by the tests and the benchmark.
public enum TestSupport {}
