import TestSupport

/// The tests' failures are TestSupport's error: one type, whether a helper there or a check
/// here found the problem.
typealias TestFailure = TestSupportError
