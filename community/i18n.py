"""Interface translations. English strings are the keys; each locale maps them to its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

FRENCH: dict[str, str] = {
    # navigation and layout
    "Home": "Accueil",
    "Ask a question": "Poser une question",
    "Log in": "Se connecter",
    "Log out": "Se déconnecter",
    "Register": "S'inscrire",
    "Skip to content": "Aller au contenu",
    "Main navigation": "Navigation principale",
    "Powered by Parvis": "Propulsé par Parvis",
    "Categories": "Catégories",
    "Latest activity": "Activité récente",
    "Pagination": "Pagination",
    "Previous": "Précédent",
    "Next": "Suivant",
    "Page %(number)s of %(count)s": "Page %(number)s sur %(count)s",
    "No threads yet.": "Aucun sujet pour l'instant.",
    "Be the first to ask.": "Soyez le premier à poser une question.",
    # threads and posts
    "Question": "Question",
    "Discussion": "Discussion",
    "Questions": "Questions",
    "Discussions": "Discussions",
    "Start a discussion": "Lancer une discussion",
    "Category": "Catégorie",
    "Type": "Type",
    "Title": "Titre",
    "Your message": "Votre message",
    "Markdown is supported.": "Le Markdown est pris en charge.",
    "Post your question": "Publier",
    "Reply": "Répondre",
    "Your reply": "Votre réponse",
    "Post reply": "Publier la réponse",
    "Edit": "Modifier",
    "Delete": "Supprimer",
    "Save": "Enregistrer",
    "Cancel": "Annuler",
    "Edit your post": "Modifier votre message",
    "edited": "modifié",
    "This post was deleted.": "Ce message a été supprimé.",
    "Delete this post?": "Supprimer ce message ?",
    "Log in to reply.": "Connectez-vous pour répondre.",
    "asked by %(name)s": "posée par %(name)s",
    "started by %(name)s": "lancée par %(name)s",
    "views": "vues",
    "one reply": "1 réponse",
    "%(n)s replies": "%(n)s réponses",
    "no replies yet": "aucune réponse",
    "one thread": "1 sujet",
    "%(n)s threads": "%(n)s sujets",
    "member": "membre",
    "expert": "expert",
    "moderator": "modérateur",
    "admin": "administrateur",
    "Please fix the problems below.": "Merci de corriger les problèmes ci-dessous.",
    # identity
    "Email": "Adresse e-mail",
    "Password": "Mot de passe",
    "Your name": "Votre nom",
    "Shown next to your posts.": "Affiché à côté de vos messages.",
    "At least 8 characters.": "8 caractères au moins.",
    "Create your account": "Créer votre compte",
    "Create account": "Créer le compte",
    "Already a member?": "Déjà membre ?",
    "New here?": "Nouveau ?",
    "Welcome back": "Bon retour parmi nous",
    # errors (also raised by services)
    "Enter a valid email address.": "Saisissez une adresse e-mail valide.",
    "Your name must be 2 to 80 characters long.": "Votre nom doit compter de 2 à 80 caractères.",
    "Your password must be at least 8 characters long.": "Votre mot de passe doit compter au moins 8 caractères.",
    "An account with this email already exists.": "Un compte existe déjà avec cette adresse.",
    "Wrong email or password.": "Adresse e-mail ou mot de passe incorrect.",
    "The title must be 8 to 200 characters long.": "Le titre doit compter de 8 à 200 caractères.",
    "The message cannot be empty.": "Le message ne peut pas être vide.",
    "The message is too long (50,000 characters at most).": "Le message est trop long (50 000 caractères au plus).",
    "No such category.": "Cette catégorie n'existe pas.",
    "Choose a category.": "Choisissez une catégorie.",
    "This thread does not exist or was deleted.": "Ce sujet n'existe pas ou a été supprimé.",
    "This post does not exist or was deleted.": "Ce message n'existe pas ou a été supprimé.",
    "There is no such page.": "Cette page n'existe pas.",
    "You can only edit your own posts.": "Vous ne pouvez modifier que vos propres messages.",
    "You can only delete your own posts.": "Vous ne pouvez supprimer que vos propres messages.",
    "Please log in first.": "Connectez-vous d'abord.",
    "Page not found": "Page introuvable",
    "Not allowed": "Action non autorisée",
    "Something went wrong": "Une erreur est survenue",
    "Back to the community home": "Retour à l'accueil de la communauté",
    "The form expired or was sent from another site. Reload the page and try again.": "Le formulaire a expiré ou vient d'un autre site. Rechargez la page et réessayez.",
    # answers, votes, scoring
    "Vote up": "Voter pour",
    "Vote down": "Voter contre",
    "Score": "Score",
    "Rank": "Rang",
    "Accept this answer": "Accepter cette réponse",
    "Undo acceptance": "Annuler l'acceptation",
    "Accepted by the asker": "Acceptée par l'auteur de la question",
    "Certify": "Certifier",
    "Certify this answer": "Certifier cette réponse",
    "Withdraw certification": "Retirer la certification",
    "Certified answer": "Réponse certifiée",
    "certified by %(name)s": "certifiée par %(name)s",
    "Note (optional)": "Note (facultative)",
    "Certified": "Certifiée",
    "Resolved": "Résolue",
    "Filter threads": "Filtrer les sujets",
    "All": "Tous",
    "Unresolved": "Non résolus",
    "Leaderboard": "Classement",
    "Badges": "Badges",
    "Admin": "Administration",
    "member since %(date)s": "membre depuis le %(date)s",
    "Reputation": "Réputation",
    "Accepted answers": "Réponses acceptées",
    "Certified answers": "Réponses certifiées",
    "Influence": "Influence",
    "No badges yet.": "Pas encore de badge.",
    "Recent questions": "Questions récentes",
    "Recent answers": "Réponses récentes",
    "None yet.": "Aucune pour l'instant.",
    "Period": "Période",
    "This week": "Cette semaine",
    "This month": "Ce mois-ci",
    "All time": "Depuis le début",
    "All categories": "Toutes les catégories",
    "Show": "Afficher",
    "Member": "Membre",
    "Points": "Points",
    "Nobody has earned points in this period yet.": "Personne n'a encore gagné de points sur cette période.",
    "%(n)s members": "%(n)s membres",
    "You have it": "Vous l'avez",
    "Scoring rules": "Règles de points",
    "Saved.": "Enregistré.",
    "Daily cap on points from votes": "Plafond quotidien des points venant des votes",
    "Ranks": "Rangs",
    "From reputation": "À partir de la réputation",
    "Rank name": "Nom du rang",
    "Voting": "Votes",
    "Members may vote down": "Les membres peuvent voter contre",
    "Show discussion replies by date (not by score)": "Afficher les réponses des discussions par date (et non par score)",
    "Answer upvoted": "Réponse votée pour",
    "Question upvoted": "Question votée pour",
    "Downvote received": "Vote contre reçu",
    "Answer accepted": "Réponse acceptée",
    "Accepting an answer": "Accepter une réponse",
    "Answer certified": "Réponse certifiée",
    "First post of the day": "Premier message du jour",
    # errors of answers, votes, scoring
    "A vote is 1 (up) or -1 (down).": "Un vote vaut 1 (pour) ou -1 (contre).",
    "You cannot vote on your own post.": "Vous ne pouvez pas voter pour votre propre message.",
    "Downvotes are turned off in this community.": "Les votes contre sont désactivés dans cette communauté.",
    "Only answers to a question can be accepted or certified.": "Seules les réponses à une question peuvent être acceptées ou certifiées.",
    "The question itself cannot be accepted or certified.": "La question elle-même ne peut pas être acceptée ni certifiée.",
    "Only the asker or a moderator can accept an answer.": "Seuls l'auteur de la question ou un modérateur peuvent accepter une réponse.",
    "Only brand experts and moderators can certify answers.": "Seuls les experts de la marque et les modérateurs peuvent certifier une réponse.",
    "The note is too long (500 characters at most).": "La note est trop longue (500 caractères au plus).",
    "This answer is not the accepted one.": "Cette réponse n'est pas celle qui a été acceptée.",
    "This answer is not the certified one.": "Cette réponse n'est pas celle qui a été certifiée.",
    "Only community admins can change the scoring rules.": "Seuls les administrateurs de la communauté peuvent changer les règles de points.",
    "The period is week, month or all.": "La période est week, month ou all.",
    "Filter on resolved, unresolved or certified threads.": "Filtrez sur les sujets résolus, non résolus ou certifiés.",
    "No such member.": "Ce membre n'existe pas.",
    "Choose a question or a discussion.": "Choisissez une question ou une discussion.",
    "Points must be a whole number from -1000 to 1000.": "Les points sont un nombre entier de -1000 à 1000.",
    "The daily cap must be a whole number, 0 or more.": "Le plafond quotidien est un nombre entier, 0 ou plus.",
    "Each rank needs a reputation threshold (0 or more) and a name.": "Chaque rang a besoin d'un seuil de réputation (0 ou plus) et d'un nom.",
    "One rank must start at 0 reputation.": "Un rang doit commencer à 0 de réputation.",
    "Two ranks cannot start at the same reputation.": "Deux rangs ne peuvent pas commencer à la même réputation.",
    # relative time
    "just now": "à l'instant",
    "%(n)s min ago": "il y a %(n)s min",
    "%(n)s h ago": "il y a %(n)s h",
    "%(n)s d ago": "il y a %(n)s j",
}

CATALOGS: dict[str, dict[str, str]] = {"en": {}, "fr": FRENCH}

Gettext = Callable[..., str]


def translator(locale: str) -> Gettext:
    """`_("Hello %(name)s", name=...)` for one locale; unknown strings fall back to English."""
    catalog = CATALOGS.get(locale, {})

    def gettext(message: str, **values: Any) -> str:
        text = catalog.get(message, message)
        return text % values if values else text

    return gettext


def time_ago(moment: datetime, locale: str, now: datetime | None = None) -> str:
    _ = translator(locale)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("%(n)s min ago", n=int(seconds // 60))
    if seconds < 86400:
        return _("%(n)s h ago", n=int(seconds // 3600))
    if seconds < 86400 * 30:
        return _("%(n)s d ago", n=int(seconds // 86400))
    return moment.strftime("%d/%m/%Y" if locale == "fr" else "%b %d, %Y")
