namespace DeepResearcher.Web.Reading;

/// <summary>Splits text into sentences: at line breaks, and after . ! ? followed by a space and an upper-case letter or digit.</summary>
internal static class SentenceSplitter
{
    public static List<string> Split(string text)
    {
        var sentences = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool end = c == '\n'
                || ((c is '.' or '!' or '?') && i + 2 < text.Length && text[i + 1] == ' ' && (char.IsUpper(text[i + 2]) || char.IsDigit(text[i + 2]) || text[i + 2] == '"'));
            if (end)
            {
                Add(sentences, text, start, i + 1);
                start = i + 1;
            }
        }

        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        string sentence = text[start..end].Trim();
        if (sentence.Length > 1)
        {
            sentences.Add(sentence);
        }
    }
}
