"""The user's documentation (Markdown pages and their pictures), shipped inside the app as ``tcoapp.docs``
so Help shows the real pages from a wheel or a frozen bundle, not only from a checkout."""
