namespace DeepResearcher.Web.Extraction;

/// <summary>How an element's tag, id, class, role or aria-label marks it as page chrome rather than content.</summary>
internal enum ChromeMatch : byte
{
    /// <summary>Nothing suggests chrome.</summary>
    None,

    /// <summary>Navigation, banners, consent popups, share bars, comments, related links, footers: dropped unless they hold the content.</summary>
    Chrome,

    /// <summary>A header element or banner role: site chrome at page level, but inside an article it holds the headline, so it is kept there.</summary>
    Header,

    /// <summary>A class or id naming a header ("site-header", but also "article-header", "section-header"): dropped only if mostly links.</summary>
    HeaderName,

    /// <summary>Not displayed (hidden attribute, aria-hidden, display:none, hiding utility classes): dropped unless it is most of the page.</summary>
    Hidden,
}
