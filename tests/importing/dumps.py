"""Small hand-made Stack Exchange dumps, written as the real ones are (BOM, escaped HTML)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

SHARED_DUMP = Path("/work/shared/datasets/french.meta.stackexchange.com")
ROOTS = {
    "Users": "users",
    "Tags": "tags",
    "Posts": "posts",
    "PostHistory": "posthistory",
    "Comments": "comments",
    "Votes": "votes",
    "PostLinks": "postlinks",
    "Badges": "badges",
}


def write_dump(directory: Path, files: dict[str, list[dict[str, object]]]) -> Path:
    """Write each file's rows; a file not named is absent, as in some sites' dumps."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        lines = ['\ufeff<?xml version="1.0" encoding="utf-8"?>', f"<{ROOTS[name]}>"]
        for row in rows:
            attributes = " ".join(f"{k}={quoteattr(str(v))}" for k, v in row.items())
            lines.append(f"  <row {attributes} />")
        lines.append(f"</{ROOTS[name]}>")
        (directory / f"{name}.xml").write_text("\n".join(lines), encoding="utf-8")
    return directory


def small_site() -> dict[str, list[dict[str, object]]]:
    """Two questions, answers, comments and votes, with the mess real dumps have."""
    return {
        "Users": [
            {"Id": -1, "DisplayName": "Community", "CreationDate": "2011-08-17T18:34:28.000"},
            {"Id": 5, "DisplayName": "Aline", "CreationDate": "2011-08-18T10:00:00.000", "Age": 33},
            {"Id": 6, "DisplayName": "Bruno", "CreationDate": "2011-08-18T11:00:00.000"},
        ],
        "Tags": [
            {"Id": 1, "TagName": "grammaire", "Count": 1, "ExcerptPostId": 40, "WikiPostId": 41},
        ],
        "Posts": [
            {
                "Id": 10, "PostTypeId": 1, "AcceptedAnswerId": 11, "OwnerUserId": 5,
                "CreationDate": "2012-01-02T10:00:00.000", "Score": 2, "ViewCount": 120,
                "Title": "Accord du participe passé avec avoir",
                "Body": '<p>Quand accorde-t-on ? <img src="https://i.stack.imgur.com/x.png" alt="tableau"></p>'
                '<pre><code>j\'ai mangé</code></pre><script>alert(1)</script>',
                "Tags": "<grammaire><participe>", "ContentLicense": "CC BY-SA 3.0",
            },
            {
                "Id": 11, "PostTypeId": 2, "ParentId": 10, "OwnerUserId": 6,
                "CreationDate": "2012-01-02T12:00:00.000", "Score": 1,
                "Body": "<p>Avec le COD placé avant.</p>", "ContentLicense": "CC BY-SA 4.0",
            },
            {  # a deleted user's answer: only a display name
                "Id": 12, "PostTypeId": 2, "ParentId": 10, "OwnerDisplayName": "ghost",
                "CreationDate": "2012-01-03T12:00:00.000", "Score": -1, "Body": "<p>Jamais.</p>",
            },
            {  # the author is referenced but absent from Users.xml; no ContentLicense
                "Id": 20, "PostTypeId": 1, "OwnerUserId": 99, "ClosedDate": "2012-02-01T00:00:00.000",
                "CreationDate": "2012-01-05T10:00:00.000", "Title": "Same question again",
                "Body": "<p>Duplicate?</p>", "Tags": "|participe|", "BountyAmount": 50,
            },
            {  # an answer to a question the dump does not have (deleted)
                "Id": 30, "PostTypeId": 2, "ParentId": 999, "OwnerUserId": 6,
                "CreationDate": "2012-01-06T10:00:00.000", "Body": "<p>Orphan</p>",
            },
            {"Id": 40, "PostTypeId": 4, "CreationDate": "2012-01-01T00:00:00.000",
             "Body": "Questions de grammaire."},
            {"Id": 41, "PostTypeId": 5, "CreationDate": "2012-01-01T00:00:00.000",
             "Body": "<p>Le wiki.</p>"},
        ],
        "PostHistory": [
            {"Id": 1, "PostHistoryTypeId": 2, "PostId": 11, "Text": "Avec le COD placé avant."},
            {"Id": 2, "PostHistoryTypeId": 5, "PostId": 11, "Text": "Avec le **COD** placé avant."},
            {"Id": 3, "PostHistoryTypeId": 1, "PostId": 11, "Text": "a title"},
            {"Id": 4, "PostHistoryTypeId": 2, "PostId": 999, "Text": "gone"},
        ],
        "Comments": [
            {"Id": 1, "PostId": 10, "UserId": 6, "Text": "Bonne *question*",
             "CreationDate": "2012-01-02T10:30:00.000"},
            {"Id": 2, "PostId": 11, "UserDisplayName": "ghost", "Text": "Merci",
             "CreationDate": "2012-01-02T13:00:00.000"},
            {"Id": 3, "PostId": 999, "UserId": 5, "Text": "on a deleted post",
             "CreationDate": "2012-01-02T13:00:00.000"},
        ],
        "Votes": [
            {"Id": 1, "PostId": 10, "VoteTypeId": 2, "CreationDate": "2012-01-03T00:00:00.000"},
            {"Id": 2, "PostId": 10, "VoteTypeId": 2, "CreationDate": "2012-01-03T00:00:00.000"},
            {"Id": 3, "PostId": 11, "VoteTypeId": 2, "CreationDate": "2012-01-03T00:00:00.000"},
            {"Id": 4, "PostId": 11, "VoteTypeId": 1, "CreationDate": "2012-01-04T00:00:00.000"},
            {"Id": 5, "PostId": 12, "VoteTypeId": 3, "CreationDate": "2012-01-04T00:00:00.000"},
            {"Id": 6, "PostId": 999, "VoteTypeId": 2, "CreationDate": "2012-01-04T00:00:00.000"},
            {"Id": 7, "PostId": 10, "VoteTypeId": 5, "UserId": 6, "CreationDate": "2012-01-04T00:00:00.000"},
            {"Id": 8, "PostId": 11, "VoteTypeId": 8, "UserId": 5, "BountyAmount": 50,
             "CreationDate": "2012-01-04T00:00:00.000"},
        ],
        "PostLinks": [
            {"Id": 1, "PostId": 20, "RelatedPostId": 10, "LinkTypeId": 3},
            {"Id": 2, "PostId": 20, "RelatedPostId": 998, "LinkTypeId": 3},
            {"Id": 3, "PostId": 10, "RelatedPostId": 20, "LinkTypeId": 1},
        ],
    }  # fmt: skip
