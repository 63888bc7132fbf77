using System.Text;

namespace DeepResearcher.World.Pages;

/// <summary>The readable text of an article (what the search index holds), without site chrome.</summary>
public static class ArticleText
{
    public static string Of(Article article)
    {
        var sb = new StringBuilder(4096);
        if (article.Tagline is not null) sb.Append(article.Tagline).Append('\n');
        foreach (var (label, value) in article.Infobox) sb.Append(label).Append(": ").Append(value.Text).Append('\n');
        foreach (var block in article.Blocks)
        {
            foreach (var inline in block.Inlines) sb.Append(inline.Text);
            sb.Append('\n');
        }
        if (article.SeeAlso.Count > 0)
        {
            sb.Append("See also: ");
            for (int i = 0; i < article.SeeAlso.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(article.SeeAlso[i].Text);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
