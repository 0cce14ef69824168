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
