using Kamune.Tests.Support;

namespace Kamune.Tests.TestKit;

// Issue 17 item 8: docs/testing.md quotes examples/Kamune.Examples.Testing file for file; the solution's test run
// builds and runs those tests, so the page shows code that compiles and passes.
public sealed class TestingDocTests
{
    [Fact]
    public void The_testing_doc_quotes_every_example_file_exactly() =>
        DocQuotes.AssertQuotesEveryFile("docs/testing.md", "examples/Kamune.Examples.Testing");
}
