namespace DeepResearcher.Web.Tests.Extraction;

/// <summary>Assertions on extracted text: fragments present in order, fragments absent.</summary>
internal static class ExtractionAssert
{
    public static void ContainsInOrder(string text, params string[] fragments)
    {
        var from = 0;
        foreach (var fragment in fragments)
        {
            var at = text.IndexOf(fragment, from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"Expected \"{fragment}\" after offset {from} in:\n{text}");
            from = at + fragment.Length;
        }
    }

    public static void Lacks(string text, params string[] fragments)
    {
        foreach (var fragment in fragments)
        {
            Assert.False(text.Contains(fragment, StringComparison.Ordinal), $"Did not expect \"{fragment}\" in:\n{text}");
        }
    }

    public static void HasLine(string text, string line)
    {
        var lines = text.Split('\n');
        Assert.True(Array.IndexOf(lines, line) >= 0, $"Expected the line \"{line}\" in:\n{text}");
    }
}
