"""Seed content for the demo communities (`parvis demo`)."""

from typing import Any

TELECOM: dict[str, Any] = {
    "slug": "horizon",
    "name": "Horizon Télécom — Communauté",
    "locale": "fr",
    "domain": "localhost",
    "synonyms": [["wifi", "wi-fi"], ["box", "routeur", "modem"], ["résilier", "annuler"]],
    "theme": {
        "primary": "#0b5fff",
        "accent": "#ff7a00",
        "background": "#f6f8fb",
        "text": "#1c2430",
        "logo_text": "Horizon",
        "font": "system-ui, sans-serif",
        "header_links": [["Boutique", "https://horizon.example/boutique"]],
        "footer_links": [["État du réseau", "https://horizon.example/reseau"]],
        "terms_url": "https://horizon.example/conditions",
        "privacy_url": "https://horizon.example/confidentialite",
    },
    "members": [
        {"email": "admin@horizon.example", "name": "Camille (Horizon)", "role": "admin"},
        {
            "email": "julien.moderation@horizon.example",
            "name": "Julien — Modérateur",
            "role": "moderator",
        },
        {
            "email": "karim.expert@horizon.example",
            "name": "Karim, Expert Horizon",
            "role": "expert",
        },
        {
            "email": "sophie.martin@example.com",
            "name": "Sophie M.",
            "role": "member",
            "customer_tier": "gold",
            "customer_id": "CUST-1042",
        },
        {"email": "thomas.leroy@example.com", "name": "Thomas L.", "role": "member"},
        {"email": "nadia.benali@example.com", "name": "Nadia B.", "role": "member"},
        {
            "email": "pierrot69@example.com",
            "name": "Pierrot_69",
            "role": "member",
            "customer_tier": "silver",
            "customer_id": "CUST-2290",
        },
        {"email": "claire.fontaine@example.com", "name": "Claire F.", "role": "member"},
        {"email": "marc.giraud@example.com", "name": "Marc G.", "role": "member"},
        {"email": "lucas.perrin@example.com", "name": "Lucas P.", "role": "member"},
    ],
    "categories": [
        {
            "slug": "box-internet",
            "name": "Box & Internet",
            "description": "Fibre, ADSL, Wi‑Fi, répéteurs : tout ce qui concerne votre connexion à la maison.",
        },
        {
            "slug": "mobile-forfaits",
            "name": "Mobile & Forfaits",
            "description": "Forfaits, eSIM, portabilité, réseau 4G/5G et utilisation à l'étranger.",
        },
        {
            "slug": "facturation",
            "name": "Facturation & Compte",
            "description": "Questions sur vos factures, vos options, votre espace client et la résiliation.",
        },
        {
            "slug": "tv-decodeur",
            "name": "TV & Décodeur",
            "description": "Décodeur, chaînes, replay, contrôle parental et codes erreur.",
        },
        {
            "slug": "cafe-horizon",
            "name": "Le Café Horizon",
            "description": "Présentations, retours d'expérience et suggestions pour améliorer nos services.",
        },
    ],
    "threads": [
        {
            "category": "box-internet",
            "kind": "question",
            "author": "thomas.leroy@example.com",
            "title": "Raccordement fibre repoussé pour la troisième fois…",
            "body": (
                "Bonjour,\n\n"
                "J'ai souscrit à l'offre **Horizon Fibre** début du mois dernier. Le rendez-vous de raccordement "
                "a été annulé deux fois la veille, et hier le technicien n'est tout simplement pas venu. "
                "Personne ne m'a prévenu, j'ai posé une demi-journée pour rien.\n\n"
                "Je suis en télétravail et je vis sur le partage de connexion 4G depuis des semaines. "
                "Quelqu'un sait ce qui peut bloquer, ou comment obtenir enfin une date fiable ?"
            ),
            "days_ago": 34,
            "replies": [
                {
                    "author": "nadia.benali@example.com",
                    "body": (
                        "Pareil pour moi l'an dernier : le point de mutualisation de la rue était saturé. "
                        "Ça a pris un mois de plus, mais depuis l'installation plus aucun souci. Courage !"
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "julien.moderation@horizon.example",
                    "body": (
                        "Bonjour Thomas, je comprends tout à fait votre agacement : un rendez-vous manqué sans "
                        "prévenir, ce n'est pas acceptable. Je transmets votre dossier à l'équipe raccordement. "
                        "Pouvez-vous m'envoyer votre numéro de commande (format `HZ-XXXXXXX`) **en message privé**, "
                        "sans le publier ici ?"
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "thomas.leroy@example.com",
                    "body": (
                        "C'est fait, merci. Je précise que la prise fibre (PTO) n'est pas encore posée dans "
                        "l'appartement, si ça peut aider."
                    ),
                    "hours_after": 6,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Thomas, j'ai regardé votre dossier avec l'équipe. Le blocage vient bien du réseau : "
                        "le câble entre le point de branchement de la rue et votre immeuble doit être remplacé par "
                        "l'opérateur d'infrastructure. L'intervention est prévue jeudi, et un nouveau rendez-vous "
                        "d'installation vous sera proposé automatiquement par SMS juste après.\n\n"
                        "En attendant, vous pouvez demander au service client un **geste commercial** et une clé 4G "
                        "de dépannage."
                    ),
                    "hours_after": 22,
                },
                {
                    "author": "thomas.leroy@example.com",
                    "body": "Merci pour l'explication, c'est déjà plus clair que tout ce qu'on m'a dit au téléphone. J'attends le SMS.",
                    "hours_after": 26,
                },
                {
                    "author": "marc.giraud@example.com",
                    "body": "Bon à savoir pour la clé 4G de dépannage, je ne savais pas que ça existait.",
                    "hours_after": 31,
                },
                {
                    "author": "thomas.leroy@example.com",
                    "body": (
                        "Petit retour : le technicien est passé ce matin, fibre installée en 1h30, "
                        "**900 Mb/s** en descendant. Merci Karim et Julien pour le suivi, je passe le sujet en résolu."
                    ),
                    "hours_after": 190,
                },
            ],
        },
        {
            "category": "box-internet",
            "kind": "question",
            "author": "sophie.martin@example.com",
            "title": "Ma box redémarre toute seule plusieurs fois par jour",
            "body": (
                "Bonjour à tous,\n\n"
                "Depuis une semaine, ma Box Horizon 6 redémarre sans raison, surtout le soir : le voyant blanc "
                "clignote, puis tout s'éteint. Ça coupe la télé et les visios des enfants. "
                "Je l'ai déjà débranchée dix minutes, sans effet.\n\n"
                "Quelqu'un a déjà eu ce problème ?"
            ),
            "days_ago": 9,
            "replies": [
                {
                    "author": "pierrot69@example.com",
                    "body": "Vérifie qu'elle n'est pas enfermée dans un meuble. La mienne chauffait énormément et faisait exactement ça.",
                    "hours_after": 1,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Sophie,\n\n"
                        "Des redémarrages en soirée sont souvent dus à la chauffe ou à une mise à jour bloquée. "
                        "Voici ce que je vous propose :\n\n"
                        "1. Placez la box à l'air libre, à la verticale, loin de toute source de chaleur.\n"
                        "2. Vérifiez la version logicielle dans `Paramètres > Système > À propos` : elle doit être "
                        "en **6.2.14** ou plus.\n"
                        "3. Sinon, lancez la mise à jour depuis l'[espace client](https://horizon.example/espace-client) "
                        "> Ma box > Redémarrer et mettre à jour.\n"
                        "4. Si le problème persiste après 48 h, faites une réinitialisation (bouton **Reset** maintenu "
                        "15 secondes). Attention, vos réglages Wi‑Fi personnalisés seront perdus.\n\n"
                        "Tenez-nous au courant !"
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "sophie.martin@example.com",
                    "body": (
                        "Elle était en 6.1.9… Mise à jour lancée hier soir, et je l'ai sortie du meuble TV. "
                        "Aucun redémarrage depuis, je croise les doigts."
                    ),
                    "hours_after": 20,
                },
                {
                    "author": "sophie.martin@example.com",
                    "body": "Trois jours sans la moindre coupure : merci, ça a marché ! 🎉",
                    "hours_after": 76,
                },
                {
                    "author": "julien.moderation@horizon.example",
                    "body": "Super nouvelle ! Je marque la réponse de Karim comme solution pour aider les prochains.",
                    "hours_after": 78,
                },
            ],
        },
        {
            "category": "box-internet",
            "kind": "question",
            "author": "claire.fontaine@example.com",
            "title": "Quel répéteur Wi‑Fi pour une maison sur deux étages ?",
            "body": (
                "Bonjour,\n\n"
                "La box est au rez-de-chaussée et, à l'étage, le Wi‑Fi est quasi inexistant dans les chambres "
                "(une barre, des déconnexions sans arrêt). Est-ce que le **Répéteur Wi‑Fi Horizon** vaut le coup, "
                "ou vaut-il mieux passer par des boîtiers CPL ? Les murs sont en pierre, si ça compte."
            ),
            "days_ago": 17,
            "replies": [
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Claire, oui, les murs en pierre comptent beaucoup : les ondes ont du mal à les traverser. "
                        "Le répéteur fonctionne bien s'il est placé **à mi-chemin**, là où vous captez encore 2 ou 3 barres "
                        "(en haut de l'escalier, par exemple). Si l'étage est vraiment isolé, un kit CPL avec Wi‑Fi intégré "
                        "sera plus stable. Le répéteur est inclus gratuitement avec l'offre Fibre Max : vérifiez votre offre !"
                    ),
                    "hours_after": 5,
                },
                {
                    "author": "marc.giraud@example.com",
                    "body": (
                        "Même configuration chez moi (vieille longère). J'ai mis deux répéteurs en maillage et c'est nickel. "
                        "Le premier en haut de l'escalier, comme dit Karim."
                    ),
                    "hours_after": 9,
                },
                {
                    "author": "claire.fontaine@example.com",
                    "body": "J'ai effectivement droit au répéteur gratuit, je ne le savais même pas ! Commandé, je vous dirai.",
                    "hours_after": 28,
                },
            ],
        },
        {
            "category": "box-internet",
            "kind": "discussion",
            "author": "marc.giraud@example.com",
            "title": "Retour d'expérience : 6 mois de fibre après 15 ans d'ADSL",
            "body": (
                "Je partage mon retour pour ceux qui hésitent encore à passer à la fibre :\n\n"
                "- **Débit** : de 8 Mb/s à environ 850 Mb/s en filaire, 400-500 en Wi‑Fi.\n"
                "- **Installation** : 2 heures, le technicien a réutilisé la gaine du téléphone.\n"
                "- **Stabilité** : une seule coupure en six mois (travaux dans la rue).\n\n"
                "Seul bémol : il a fallu revoir tout le Wi‑Fi de la maison. Et vous, ça a changé quoi au quotidien ?"
            ),
            "days_ago": 45,
            "replies": [
                {
                    "author": "nadia.benali@example.com",
                    "body": "Pour nous, surtout les sauvegardes photo : avant ça tournait toute la nuit, maintenant c'est fait en dix minutes.",
                    "hours_after": 6,
                },
                {
                    "author": "pierrot69@example.com",
                    "body": "Le plus visible, c'est le soir quand tout le monde est connecté. Fini les disputes pour savoir qui regarde quoi 😄",
                    "hours_after": 11,
                },
                {
                    "author": "admin@horizon.example",
                    "body": "Merci Marc pour ce retour très complet ! On l'épingle dans la catégorie pour les nouveaux arrivants.",
                    "hours_after": 30,
                },
            ],
        },
        {
            "category": "mobile-forfaits",
            "kind": "question",
            "author": "nadia.benali@example.com",
            "title": "Activation eSIM impossible : « code non valide »",
            "body": (
                "Bonjour,\n\n"
                "J'ai demandé le passage en eSIM depuis l'appli Horizon et j'ai bien reçu le QR code par e-mail. "
                "Mais quand je le scanne, le téléphone affiche « Impossible d'ajouter le forfait : code non valide ». "
                "J'ai essayé trois fois. Ma carte SIM physique fonctionne encore pour l'instant.\n\n"
                "Que faire ? J'ai peur de me retrouver sans ligne."
            ),
            "days_ago": 6,
            "replies": [
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Nadia, pas d'inquiétude : votre ligne reste active sur la SIM physique tant que l'eSIM "
                        "n'est pas installée. Un QR code eSIM n'est utilisable **qu'une seule fois** : s'il a déjà été "
                        "scanné (même si l'installation a échoué), il devient invalide.\n\n"
                        "1. Dans l'appli Horizon, allez dans `Ma ligne > Carte SIM > eSIM`.\n"
                        "2. Touchez **Générer un nouveau QR code** (c'est gratuit).\n"
                        "3. Connectez le téléphone au **Wi‑Fi** avant de scanner.\n"
                        "4. Ne quittez pas l'écran d'installation avant le message « Forfait activé ».\n\n"
                        "L'activation prend en général moins de 15 minutes."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "nadia.benali@example.com",
                    "body": (
                        "Merci ! Nouveau QR code généré, scanné en Wi‑Fi, et ça a marché du premier coup. "
                        "Je n'aurais jamais deviné qu'il ne servait qu'une fois."
                    ),
                    "hours_after": 5,
                },
                {
                    "author": "claire.fontaine@example.com",
                    "body": "Je note, je dois faire la même chose le mois prochain. Merci pour les étapes !",
                    "hours_after": 9,
                },
            ],
        },
        {
            "category": "mobile-forfaits",
            "kind": "question",
            "author": "marc.giraud@example.com",
            "title": "Portabilité : mon RIO est refusé par le formulaire",
            "body": (
                "Bonjour, je veux passer chez Horizon en gardant mon numéro. J'ai appelé le 3179 pour obtenir mon RIO, "
                "mais le formulaire d'inscription m'affiche « RIO incorrect ». Je l'ai recopié trois fois… "
                "Quelqu'un sait d'où ça peut venir ?"
            ),
            "days_ago": 22,
            "replies": [
                {
                    "author": "pierrot69@example.com",
                    "body": (
                        "Attention aux confusions entre le **0** et le **O**, et entre le **1** et le **I**. "
                        "Le RIO fait 12 caractères, ça m'a piégé aussi."
                    ),
                    "hours_after": 1,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Marc, Pierre a raison, c'est la cause n°1. Autres points à vérifier :\n\n"
                        "- le RIO fait **12 caractères** et commence par deux chiffres qui identifient l'opérateur ;\n"
                        "- il doit correspondre **exactement** au numéro saisi dans le formulaire (un RIO par ligne) ;\n"
                        "- il est lié au titulaire de la ligne : si elle est au nom d'un proche, il faut saisir ses informations.\n\n"
                        "Une fois la demande validée, la portabilité se fait en 3 jours ouvrés et votre ancien contrat est "
                        "résilié automatiquement, vous n'avez aucune démarche à faire."
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "marc.giraud@example.com",
                    "body": "C'était ça : la ligne est au nom de mon père et je saisissais mon propre nom. Commande passée, merci à vous deux !",
                    "hours_after": 7,
                },
            ],
        },
        {
            "category": "mobile-forfaits",
            "kind": "question",
            "author": "pierrot69@example.com",
            "title": "87 € de hors forfait après une semaine au Maroc, sérieusement ?",
            "body": (
                "Je rentre d'une semaine à Marrakech et je découvre **87 €** de hors forfait. J'avais pourtant coupé "
                "les données mobiles… sauf, apparemment, une nuit où le téléphone a synchronisé les photos.\n\n"
                "Je trouve que rien n'est fait pour prévenir les clients : un seul SMS à l'arrivée, c'est tout. "
                "Est-ce qu'on peut contester, ou au moins bloquer ça pour la prochaine fois ?"
            ),
            "days_ago": 13,
            "replies": [
                {
                    "author": "sophie.martin@example.com",
                    "body": "Le Maroc n'est pas dans la zone UE, c'est facturé au Mo et ça grimpe très vite. Ça m'est arrivé en Suisse, je compatis…",
                    "hours_after": 2,
                },
                {
                    "author": "julien.moderation@horizon.example",
                    "body": (
                        "Bonjour Pierre, merci d'avoir exposé la situation calmement. Hors Union européenne, la consommation "
                        "internet est bien facturée en dehors du forfait. Vous pouvez demander un geste commercial depuis "
                        "l'espace client (`Assistance > Contester une facture`) : une première demande liée à l'étranger "
                        "est en général étudiée favorablement."
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Et pour éviter que ça se reproduise :\n\n"
                        "1. Activez le **Blocage hors forfait international** dans `Ma ligne > Options > Étranger` (gratuit).\n"
                        "2. Avant de partir, ajoutez un **Pass Voyage** (par exemple 5 Go à 15 €, valable 7 jours au Maroc).\n"
                        "3. Sur le téléphone, désactivez aussi l'**itinérance des données**, en plus des données mobiles.\n\n"
                        "Le blocage coupe internet dès le premier Mo hors forfait ; vous gardez les appels et SMS entrants."
                    ),
                    "hours_after": 6,
                },
                {
                    "author": "pierrot69@example.com",
                    "body": "Contestation faite : 60 € remboursés sous forme d'avoir. Je reste un peu déçu, mais j'ai activé le blocage. Merci pour l'info.",
                    "hours_after": 30,
                },
            ],
        },
        {
            "category": "mobile-forfaits",
            "kind": "question",
            "author": "lucas.perrin@example.com",
            "title": "Toujours pas de 5G chez moi malgré un forfait compatible",
            "body": (
                "Bonjour, mon forfait inclut la 5G et mon téléphone est compatible, mais je ne capte que la 4G chez moi, "
                "en Haute-Loire. La carte de couverture du site indique « 5G prévue ».\n\n"
                "Est-ce que quelqu'un connaît un calendrier de déploiement un peu plus précis ? "
                "Ou faut-il activer quelque chose dans les réglages du téléphone ?"
            ),
            "days_ago": 2,
            "replies": [],
        },
        {
            "category": "facturation",
            "kind": "question",
            "author": "sophie.martin@example.com",
            "title": "Option « Sécurité+ » facturée sans que je l'aie demandée",
            "body": (
                "Bonjour,\n\n"
                "Sur ma facture de ce mois-ci, je vois une ligne **Sécurité+ : 3,99 €** que je n'ai jamais souscrite, "
                "plus un « prorata » de 11,20 €. Ma facture passe de 34,99 € à plus de 50 €.\n\n"
                "C'est une option ajoutée automatiquement ? Comment la supprimer et me faire rembourser ?"
            ),
            "days_ago": 27,
            "replies": [
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Sophie, l'option Sécurité+ est offerte 3 mois lors d'un changement d'offre, puis devient "
                        "payante si elle n'est pas désactivée. C'est indiqué dans le récapitulatif de commande, mais "
                        "c'est vrai que c'est peu visible. Le prorata de 11,20 € correspond au changement d'offre en cours "
                        "de mois : il n'apparaîtra qu'une fois.\n\n"
                        "Pour désactiver l'option : `Espace client > Mes options > Sécurité+ > Désactiver`. C'est immédiat."
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "sophie.martin@example.com",
                    "body": "Ah oui, j'ai changé d'offre il y a trois mois… Je n'avais pas vu la mention. Option désactivée, merci pour l'explication.",
                    "hours_after": 8,
                },
                {
                    "author": "lucas.perrin@example.com",
                    "body": "Même chose pour moi l'an dernier. Franchement, ce genre d'option devrait être à cocher, pas à décocher.",
                    "hours_after": 12,
                },
                {
                    "author": "julien.moderation@horizon.example",
                    "body": "Merci Lucas pour ce retour, je le fais remonter aux équipes concernées. Les avis comme le vôtre sont lus, promis.",
                    "hours_after": 14,
                },
            ],
        },
        {
            "category": "facturation",
            "kind": "question",
            "author": "lucas.perrin@example.com",
            "title": "Résiliation de la box : frais et retour du matériel ?",
            "body": (
                "Bonjour,\n\n"
                "Je pars vivre à l'étranger à la fin du mois et je dois résilier mon offre box. Quelques questions :\n\n"
                "- y a-t-il des frais si je suis encore engagé pour 4 mois ?\n"
                "- comment renvoyer la box et le décodeur ?\n"
                "- la résiliation est-elle immédiate ?\n\n"
                "Merci d'avance."
            ),
            "days_ago": 40,
            "replies": [
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Lucas,\n\n"
                        "1. **Frais** : un départ à l'étranger est un motif légitime, les mois d'engagement restants ne "
                        "sont pas facturés sur présentation d'un justificatif (contrat de travail, bail…). Seuls les frais "
                        "de résiliation de 49 € s'appliquent.\n"
                        "2. **Démarche** : depuis l'espace client (`Mon contrat > Résilier`) ou par courrier. La résiliation "
                        "prend effet 10 jours après la demande, ou à la date de votre choix.\n"
                        "3. **Matériel** : vous recevrez une étiquette prépayée par e-mail. Déposez le colis en point relais "
                        "sous 30 jours, sinon le matériel est facturé.\n\n"
                        "Gardez bien le récépissé de dépôt !"
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "lucas.perrin@example.com",
                    "body": "Parfait, c'est très clair. Merci !",
                    "hours_after": 10,
                },
            ],
        },
        {
            "category": "facturation",
            "kind": "question",
            "author": "nadia.benali@example.com",
            "title": "Impossible de modifier mon RIB pour le prélèvement",
            "body": (
                "Bonjour, j'ai changé de banque et je voudrais que la prochaine facture soit prélevée sur le nouveau compte. "
                "Dans l'espace client, je trouve bien la rubrique « Moyen de paiement », mais le bouton **Modifier** est grisé. "
                "C'est normal ? Le prélèvement est prévu le 5."
            ),
            "days_ago": 1,
            "replies": [],
        },
        {
            "category": "tv-decodeur",
            "kind": "question",
            "author": "claire.fontaine@example.com",
            "title": "Décodeur : écran noir et code erreur E-204",
            "body": (
                "Bonsoir, depuis ce matin le décodeur affiche un écran noir avec le message "
                "`Erreur E-204 : signal indisponible`. Internet fonctionne très bien sur la box. "
                "J'ai redémarré le décodeur deux fois. Les enfants commencent à me regarder de travers 😅"
            ),
            "days_ago": 5,
            "replies": [
                {
                    "author": "thomas.leroy@example.com",
                    "body": "Chez moi, c'était le câble Ethernet entre la box et le décodeur, à moitié débranché par l'aspirateur.",
                    "hours_after": 1,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonsoir Claire, l'erreur E-204 signifie que le décodeur ne reçoit pas le flux TV de la box. "
                        "Dans l'ordre :\n\n"
                        "1. Vérifiez le câble Ethernet (ou les boîtiers CPL) entre la box et le décodeur.\n"
                        "2. Redémarrez **d'abord la box**, attendez le voyant blanc fixe, puis redémarrez le décodeur.\n"
                        "3. Si le décodeur est en Wi‑Fi, rapprochez-le ou passez en filaire.\n\n"
                        "Si le code reste affiché, dites-le-moi et je lancerai un diagnostic à distance."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "claire.fontaine@example.com",
                    "body": "C'était l'ordre de redémarrage ! La box puis le décodeur, et tout est revenu. Merci, la soirée est sauvée.",
                    "hours_after": 3,
                },
            ],
        },
        {
            "category": "tv-decodeur",
            "kind": "question",
            "author": "sophie.martin@example.com",
            "title": "Contrôle parental : j'ai oublié le code PIN",
            "body": (
                "Bonjour, j'ai activé le contrôle parental sur le décodeur il y a un an et… j'ai complètement oublié le code. "
                "Je ne peux plus changer le niveau de protection (mon fils a grandi, il aimerait voir des films "
                "déconseillés aux moins de 12 ans). Faut-il tout réinitialiser ?"
            ),
            "days_ago": 19,
            "replies": [
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonjour Sophie, inutile de réinitialiser le décodeur, le code se gère depuis l'espace client :\n\n"
                        "1. Connectez-vous sur [horizon.example/espace-client](https://horizon.example/espace-client).\n"
                        "2. Allez dans `Ma TV > Contrôle parental`.\n"
                        "3. Cliquez sur **Réinitialiser le code** : il repasse à `0000` sur le décodeur dans les minutes qui suivent.\n\n"
                        "Pensez à en choisir un nouveau tout de suite après 😉"
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "sophie.martin@example.com",
                    "body": "Merci, ça a marché ! Et cette fois, le nouveau code est noté dans un endroit sûr.",
                    "hours_after": 6,
                },
            ],
        },
        {
            "category": "tv-decodeur",
            "kind": "discussion",
            "author": "nadia.benali@example.com",
            "title": "Vos chaînes et applis préférées sur le décodeur ?",
            "body": (
                "Petit sujet détente : on vient de passer au décodeur 4K et je découvre tout le catalogue. "
                "Qu'est-ce que vous regardez le plus : replay, applis, chaînes thématiques ? "
                "Je cherche des idées pour les soirées d'hiver, surtout côté documentaires."
            ),
            "days_ago": 25,
            "replies": [
                {
                    "author": "marc.giraud@example.com",
                    "body": "Les chaînes du bouquet Découverte, clairement. Et le replay pour rattraper les magazines de la semaine.",
                    "hours_after": 3,
                },
                {
                    "author": "claire.fontaine@example.com",
                    "body": "Chez nous, le mode « Radio » du décodeur tourne toute la journée. Je ne savais même pas que ça existait.",
                    "hours_after": 8,
                },
                {
                    "author": "lucas.perrin@example.com",
                    "body": "Astuce : dans `Paramètres > Affichage`, activez le mode **Cinéma**, l'image est beaucoup plus naturelle sur les films.",
                    "hours_after": 20,
                },
                {
                    "author": "nadia.benali@example.com",
                    "body": "Merci pour les idées ! Je ne connaissais ni le mode Radio ni le mode Cinéma.",
                    "hours_after": 26,
                },
            ],
        },
        {
            "category": "cafe-horizon",
            "kind": "discussion",
            "author": "admin@horizon.example",
            "title": "Bienvenue dans la Communauté Horizon ! Présentez-vous 👋",
            "body": (
                "Bonjour à toutes et à tous,\n\n"
                "Bienvenue dans l'espace d'entraide d'Horizon Télécom ! Ici, clients, experts et équipes Horizon "
                "s'entraident sur la box, le mobile, la TV et la facturation.\n\n"
                "Quelques règles simples :\n\n"
                "- **Ne publiez jamais** vos coordonnées bancaires, votre numéro client ou vos mots de passe.\n"
                "- Faites une recherche avant de poster : la réponse existe peut-être déjà.\n"
                "- Marquez comme **solution** la réponse qui vous a aidé.\n\n"
                "N'hésitez pas à vous présenter en réponse à ce message !"
            ),
            "days_ago": 58,
            "replies": [
                {
                    "author": "julien.moderation@horizon.example",
                    "body": "Bonjour à tous ! Julien, modérateur de la communauté. Je passe tous les jours : mentionnez-moi si un sujet reste sans réponse.",
                    "hours_after": 1,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": "Karim, technicien réseau depuis 12 ans. Je réponds surtout sur la fibre, le Wi‑Fi et les décodeurs. À bientôt dans les sujets !",
                    "hours_after": 2,
                },
                {
                    "author": "pierrot69@example.com",
                    "body": "Pierre, Lyonnais, client depuis une bonne dizaine d'années. Je traîne ici surtout pour les questions mobile.",
                    "hours_after": 26,
                },
                {
                    "author": "claire.fontaine@example.com",
                    "body": "Bonjour ! Claire, maison de campagne aux murs très épais… je risque de poser beaucoup de questions sur le Wi‑Fi 😄",
                    "hours_after": 50,
                },
                {
                    "author": "thomas.leroy@example.com",
                    "body": "Thomas, télétravailleur. Content de voir qu'il y a de vraies personnes qui répondent ici.",
                    "hours_after": 120,
                },
            ],
        },
        {
            "category": "cafe-horizon",
            "kind": "discussion",
            "author": "marc.giraud@example.com",
            "title": "Suggestion : programmer les horaires du Wi‑Fi invité",
            "body": (
                "Ce serait pratique de pouvoir programmer l'activation du Wi‑Fi invité (par exemple seulement le week-end, "
                "quand on reçoit), comme on peut déjà le faire pour le Wi‑Fi principal. Qui serait intéressé ?"
            ),
            "days_ago": 11,
            "replies": [
                {
                    "author": "sophie.martin@example.com",
                    "body": "+1, et pareil pour couper le Wi‑Fi des enfants à 22 h sans toucher au nôtre.",
                    "hours_after": 4,
                },
                {
                    "author": "karim.expert@horizon.example",
                    "body": (
                        "Bonne idée. En attendant, une astuce : le contrôle parental de la box "
                        "(`Paramètres > Contrôle parental > Appareils`) permet déjà de définir des plages horaires "
                        "par appareil, ce qui répond au besoin de Sophie."
                    ),
                    "hours_after": 9,
                },
                {
                    "author": "admin@horizon.example",
                    "body": (
                        "Merci Marc ! La suggestion est transmise à l'équipe produit. "
                        "On vous tiendra au courant ici si elle est retenue pour une prochaine mise à jour."
                    ),
                    "hours_after": 28,
                },
            ],
        },
    ],
}


RETAILER: dict[str, Any] = {
    "slug": "northwind",
    "name": "Northwind Outfitters Community",
    "locale": "en",
    "domain": "northwind.localhost",
    "synonyms": [["refund", "money back", "reimbursement"], ["parcel", "package"]],
    "theme": {
        "primary": "#2f5d3a",
        "accent": "#d9822b",
        "background": "#f7f5ef",
        "text": "#1f2a22",
        "logo_text": "Northwind",
        "font": "system-ui, sans-serif",
        "header_links": [["Shop", "https://northwind.example/shop"]],
        "footer_links": [["Store locator", "https://northwind.example/stores"]],
        "terms_url": "https://northwind.example/terms",
        "privacy_url": "https://northwind.example/privacy",
    },
    "members": [
        {"email": "admin@northwind.example", "name": "Morgan (Northwind)", "role": "admin"},
        {
            "email": "priya.community@northwind.example",
            "name": "Priya — Community Team",
            "role": "moderator",
        },
        {"email": "dan.gear@northwind.example", "name": "Dan, Gear Specialist", "role": "expert"},
        {"email": "jess.harper@example.com", "name": "Jess H.", "role": "member"},
        {
            "email": "tom.okafor@example.com",
            "name": "Tom O.",
            "role": "member",
            "customer_tier": "gold",
            "customer_id": "NW-20931",
        },
        {
            "email": "lena.fischer@example.com",
            "name": "Lena F.",
            "role": "member",
            "customer_tier": "platinum",
            "customer_id": "NW-10457",
        },
        {"email": "trailmike@example.com", "name": "trailmike", "role": "member"},
        {"email": "sarah.chen@example.com", "name": "Sarah C.", "role": "member"},
        {"email": "ben.walsh@example.com", "name": "Ben W.", "role": "member"},
        {"email": "ana.gomez@example.com", "name": "Ana G.", "role": "member"},
    ],
    "categories": [
        {
            "slug": "orders-delivery",
            "name": "Orders & Delivery",
            "description": "Tracking, delivery options, click-and-collect and changes to your order.",
        },
        {
            "slug": "returns-warranty",
            "name": "Returns & Warranty",
            "description": "Returns, exchanges, refunds and warranty claims on Northwind gear.",
        },
        {
            "slug": "gear-advice",
            "name": "Gear Advice & Care",
            "description": "Sizing, product care, repairs and help choosing the right kit.",
        },
        {
            "slug": "rewards-gift-cards",
            "name": "Rewards & Gift Cards",
            "description": "Trail Rewards points, vouchers and Northwind gift cards.",
        },
        {
            "slug": "trip-reports",
            "name": "Trip Reports",
            "description": "Share where you've been, what worked and what you'd pack differently next time.",
        },
    ],
    "threads": [
        {
            "category": "orders-delivery",
            "kind": "question",
            "author": "ben.walsh@example.com",
            "title": "Tracking stuck on 'In transit' for five days",
            "body": (
                "Ordered a sleeping bag and a pair of trekking poles last Monday with standard delivery. "
                "The tracking page has said **In transit – departed sorting hub** since Thursday and nothing since.\n\n"
                "I need the bag for a trip next weekend, so I'm getting a bit nervous. Is this normal, or has it been lost? "
                "I'd rather not pay twice for express delivery somewhere else."
            ),
            "days_ago": 8,
            "replies": [
                {
                    "author": "sarah.chen@example.com",
                    "body": "Mine sat on the same status for four days last month, then turned up without another update. The carrier seems to skip scans sometimes.",
                    "hours_after": 2,
                },
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Hi Ben, sorry for the worry. Standard parcels aren't always scanned between the hub and the local depot, "
                        "so a gap of a few days isn't unusual, but five is on the long side. I've sent you a private message: "
                        "reply there with your order number (please don't post it publicly) and I'll open a trace with the carrier today."
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "ben.walsh@example.com",
                    "body": "Sent, thanks Priya. Honestly it's a bit frustrating that the tracking page is so vague, but I appreciate the quick reply.",
                    "hours_after": 5,
                },
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Update for anyone following: the carrier confirmed the parcel was mis-sorted to the wrong depot. "
                        "It's been rerouted and should arrive Thursday. Ben, I've also refunded your delivery charge."
                    ),
                    "hours_after": 24,
                },
                {
                    "author": "ben.walsh@example.com",
                    "body": "Arrived this morning, all in one piece. Thanks for chasing it.",
                    "hours_after": 50,
                },
            ],
        },
        {
            "category": "orders-delivery",
            "kind": "question",
            "author": "ana.gomez@example.com",
            "title": "Click-and-collect: can someone else pick up my order?",
            "body": (
                "I've placed a click-and-collect order for the Harbour Street store, but I'll be away for work when it's ready. "
                "Can my partner collect it instead? And how long do you hold orders before sending them back?"
            ),
            "days_ago": 14,
            "replies": [
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Hi Ana! Yes, anyone can collect on your behalf. They'll need:\n\n"
                        "1. The **collection email** (printed or on their phone) with the barcode.\n"
                        "2. Photo ID matching the name you add under *Nominated collector* in your order details.\n\n"
                        "We hold orders for **14 days** from the *Ready to collect* email. After that they're returned and refunded automatically."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "ana.gomez@example.com",
                    "body": "Perfect, I've added him as the nominated collector. Thanks!",
                    "hours_after": 6,
                },
                {
                    "author": "tom.okafor@example.com",
                    "body": "Handy tip: if you ring the store before the deadline they'll usually hold it for another week. Saved me when I was ill.",
                    "hours_after": 20,
                },
            ],
        },
        {
            "category": "orders-delivery",
            "kind": "question",
            "author": "jess.harper@example.com",
            "title": "Can I change the delivery address after ordering?",
            "body": (
                "I've just realised I sent my order to my old flat 🤦‍♀️ It still says *Processing* in my account. "
                "Is there any way to update the address before it ships, or do I have to cancel and reorder? "
                "The fleece I bought is now sold out in my size, so I'd really rather not cancel."
            ),
            "days_ago": 0,
            "replies": [],
        },
        {
            "category": "returns-warranty",
            "kind": "question",
            "author": "tom.okafor@example.com",
            "title": "Exchanging boots for half a size up: do I have to return them first?",
            "body": (
                "I bought the **Cascade Mid** walking boots in a UK 9, and after a couple of laps around the house my toes "
                "touch the front going downstairs. I'd like to swap them for a 9.5.\n\n"
                "Do I need to send these back and wait for the refund before ordering again, or can you do a straight exchange? "
                "They've only been worn indoors."
            ),
            "days_ago": 21,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Tom, good call testing them on the stairs; that's exactly where a boot that's too short gives itself away. "
                        "You can do a direct exchange:\n\n"
                        "1. Start a return in *My orders* and choose **Exchange – different size**.\n"
                        "2. We reserve the 9.5 for you straight away, so it can't sell out while the 9s are on their way back.\n"
                        "3. The new pair ships as soon as the carrier scans your return.\n\n"
                        "Indoor wear is fine as long as the soles are clean and the tags are still on."
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "tom.okafor@example.com",
                    "body": "Done, and the 9.5 is reserved. Much easier than I expected.",
                    "hours_after": 7,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "Good to know for the future. I always assumed you had to wait for the refund first.",
                    "hours_after": 30,
                },
            ],
        },
        {
            "category": "returns-warranty",
            "kind": "question",
            "author": "sarah.chen@example.com",
            "title": "Zip failed on my Ridgeline 45 after 18 months: is it covered?",
            "body": (
                "The main zip on my **Ridgeline 45L** pack has started splitting behind the slider: it closes, then the teeth "
                "come apart a few centimetres behind it. I bought it about 18 months ago and it's done maybe a dozen weekend "
                "trips, nothing extreme.\n\n"
                "Is this covered by the warranty? I don't have the receipt any more; I bought it in store."
            ),
            "days_ago": 37,
            "replies": [
                {
                    "author": "ben.walsh@example.com",
                    "body": (
                        "Before you send it off, try gently squeezing the slider with pliers. A zip that splits behind the slider "
                        "often just means the slider has opened up slightly. Fixed one of mine that way."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "sarah.chen@example.com",
                    "body": "Tried the pliers trick. It held for a day and then split again 😕",
                    "hours_after": 5,
                },
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Sarah, thanks for trying that first. If the slider keeps opening up after being squeezed, it's worn out, "
                        "and that's covered: our packs have a **3-year warranty** on zips, buckles and seams under normal use.\n\n"
                        "You don't need the receipt if you used your Northwind account or Trail Rewards card; we can find the purchase "
                        "from that. Otherwise, a bank statement showing the purchase is fine."
                    ),
                    "hours_after": 6,
                },
                {
                    "author": "sarah.chen@example.com",
                    "body": "I did use my rewards card, so that should work. How do I start the claim?",
                    "hours_after": 8,
                },
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Here you go:\n\n"
                        "1. Go to [northwind.example/warranty](https://northwind.example/warranty) and choose **Packs & bags**.\n"
                        "2. Add two or three photos: the whole pack, a close-up of the zip, and the slider.\n"
                        "3. Choose free postage or drop it off at any store.\n\n"
                        "Most zip repairs take 10–14 days. If a repair isn't possible, we'll replace the pack with the current model."
                    ),
                    "hours_after": 9,
                },
                {
                    "author": "sarah.chen@example.com",
                    "body": (
                        "Quick update: I dropped it at the store last week and got it back today with a new slider *and* new zip tape. "
                        "Works perfectly. Really impressed, thank you!"
                    ),
                    "hours_after": 200,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "Great to see. I've got the same pack and was wondering how warranty claims actually go. Bookmarking this.",
                    "hours_after": 205,
                },
            ],
        },
        {
            "category": "returns-warranty",
            "kind": "question",
            "author": "lena.fischer@example.com",
            "title": "Return delivered 10 days ago but no refund yet",
            "body": (
                "I sent back a rain jacket (wrong colour) by post. Tracking says it was delivered to your returns centre "
                "10 days ago, but I haven't had the refund or even an email. How long does it usually take?"
            ),
            "days_ago": 11,
            "replies": [
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Hi Lena, returns are usually processed within 5 working days of arriving, and the refund then takes "
                        "3–5 working days to reach your account, depending on your bank. Ten days without an email is longer than "
                        "it should be, though. Could you DM me the order number so I can check with the returns team?"
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "DM sent.",
                    "hours_after": 7,
                },
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Thanks Lena. Your return was processed yesterday (there's been a backlog since the sale) and the refund "
                        "of £89.00 has been issued. The confirmation email should reach you shortly."
                    ),
                    "hours_after": 22,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "Money's in. Thanks Priya.",
                    "hours_after": 70,
                },
            ],
        },
        {
            "category": "gear-advice",
            "kind": "question",
            "author": "jess.harper@example.com",
            "title": "Tent flysheet no longer waterproof: re-proof or replace?",
            "body": (
                "My **Tarn 2** tent is about five years old. On our last trip the rain didn't exactly come through, but the "
                "flysheet was soaked and there were drips along the seams by morning.\n\n"
                "Is it worth re-proofing it myself, or is it time for a new tent? And if I re-proof it, what should I use?"
            ),
            "days_ago": 29,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Jess, five years is about when the factory water-repellent finish wears off, so this is very fixable. "
                        "You're actually describing two separate things:\n\n"
                        "- **The fabric wetting out** (soaked but not leaking): the outer repellent finish has worn. A spray-on tent proofer fixes this.\n"
                        "- **Drips along the seams**: the seam tape is lifting. Apply seam sealer to the inside of the fly.\n\n"
                        "Pitch the tent, rinse the fly with plain water, apply both while it's still damp, then leave it up for 24 hours "
                        "to cure. Don't use washing-up liquid; it strips the coatings."
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "trailmike@example.com",
                    "body": (
                        "Did exactly this on a 7-year-old tent last spring. Spray proofer plus seam sealer came to under £25, "
                        "and it survived a properly wet weekend in the hills."
                    ),
                    "hours_after": 8,
                },
                {
                    "author": "jess.harper@example.com",
                    "body": "Thanks both! Picked up the proofer and seam sealer today. I'll do it this weekend while it's dry.",
                    "hours_after": 26,
                },
                {
                    "author": "jess.harper@example.com",
                    "body": "Reporting back: hosed it down in the garden afterwards and the water beads straight off now. Thank you!",
                    "hours_after": 100,
                },
            ],
        },
        {
            "category": "gear-advice",
            "kind": "question",
            "author": "lena.fischer@example.com",
            "title": "Between sizes with wide feet: which boot size should I get?",
            "body": (
                "I'm a UK 5.5 in trainers but a 6 in some brands, and my feet are quite wide across the toes. "
                "I'm looking at the women's **Fellside Waterproof** boot. Should I size up? "
                "It'll mostly be day hikes of 10–15 km."
            ),
            "days_ago": 4,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Lena! For hiking boots we generally recommend:\n\n"
                        "1. Measure your feet in the afternoon, when they've swollen a little.\n"
                        "2. Try boots on with the socks you'll actually hike in.\n"
                        "3. With the boot unlaced, slide your foot forward: you should fit one finger behind your heel.\n\n"
                        "The Fellside is true to size but on the narrow side, so with a wide forefoot I'd try the **Fellside Wide** "
                        "in a 6, or the Cascade Mid, which has a roomier toe box. Our stores have a fitting ramp if you can get to one."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "ana.gomez@example.com",
                    "body": "Wide-footed hiker here: the Cascade Mid was the first boot that didn't give me blisters on my little toe.",
                    "hours_after": 5,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "Good to know. I'll try both at the store on Saturday.",
                    "hours_after": 9,
                },
            ],
        },
        {
            "category": "gear-advice",
            "kind": "question",
            "author": "ben.walsh@example.com",
            "title": "How do I wash a down jacket without ruining it?",
            "body": (
                "My **Summit Down Hoodie** is looking grubby after a winter of use and it's lost some of its loft. "
                "The label says it's machine washable, but I'm nervous about turning it into a lumpy mess. Any tips?"
            ),
            "days_ago": 50,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Ben, it's very doable. Step by step:\n\n"
                        "1. Do up all the zips and turn the jacket inside out.\n"
                        "2. Use a **down-specific wash**. Normal detergent strips the natural oils from the down.\n"
                        "3. Front-loading machine only, gentle cycle at 30°C, with an extra rinse.\n"
                        "4. Tumble dry on **low** with two or three clean tennis balls for 2–3 hours, breaking up any clumps by hand every 30 minutes.\n\n"
                        "It'll look alarming when it first comes out of the washer; that's normal. Make sure it's *completely* dry before you put it away."
                    ),
                    "hours_after": 3,
                },
                {
                    "author": "sarah.chen@example.com",
                    "body": "The tennis balls really work. Mine came out loftier than when I bought it.",
                    "hours_after": 5,
                },
                {
                    "author": "ben.walsh@example.com",
                    "body": "Done! It took nearly three hours in the dryer, but it's fluffy again. Thanks Dan.",
                    "hours_after": 52,
                },
            ],
        },
        {
            "category": "gear-advice",
            "kind": "question",
            "author": "trailmike@example.com",
            "title": "Will your gas canisters fit my old stove? And can it run on liquid fuel?",
            "body": (
                "I've inherited an old screw-on canister stove from my dad, and I'm not sure the Northwind 230 g gas canisters "
                "will fit it. The only marking says *use only with EN417 cartridges*.\n\n"
                "Also, could I run it on liquid fuel with an adapter? I'm heading to the Alps this summer and don't know what "
                "will be easy to find out there."
            ),
            "days_ago": 16,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Hi Mike, good news: EN417 is the standard for threaded screw-on canisters, and all our gas canisters meet it, "
                        "so they'll fit your stove.\n\n"
                        "On liquid fuel: please **don't** try an adapter. Canister stoves aren't designed for it and it's genuinely "
                        "dangerous. If you want to burn petrol or white gas, you'll need a multi-fuel stove.\n\n"
                        "Threaded canisters are easy to find in outdoor shops across Europe, but you can't fly with them, so plan to buy one when you arrive."
                    ),
                    "hours_after": 5,
                },
                {
                    "author": "tom.okafor@example.com",
                    "body": "+1 on not flying with canisters. I learned that one the hard way at airport security.",
                    "hours_after": 9,
                },
                {
                    "author": "trailmike@example.com",
                    "body": "Thanks, that's exactly what I needed. I'll stick with gas and buy it when I get there.",
                    "hours_after": 12,
                },
            ],
        },
        {
            "category": "rewards-gift-cards",
            "kind": "question",
            "author": "tom.okafor@example.com",
            "title": "Can I use a gift card partly online and partly in store?",
            "body": (
                "Got a £100 Northwind gift card for my birthday. Can I split it, using some online now and the rest in store later? "
                "And how do I check the balance?"
            ),
            "days_ago": 33,
            "replies": [
                {
                    "author": "admin@northwind.example",
                    "body": (
                        "Happy birthday, Tom! Yes, gift cards work online and in store, across as many purchases as you like until "
                        "the balance runs out. To check the balance, enter the card number and PIN at "
                        "[northwind.example/gift-cards](https://northwind.example/gift-cards) or ask at any till. "
                        "Gift cards are valid for **24 months** from purchase."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "tom.okafor@example.com",
                    "body": "Brilliant, thanks Morgan.",
                    "hours_after": 5,
                },
            ],
        },
        {
            "category": "rewards-gift-cards",
            "kind": "question",
            "author": "ana.gomez@example.com",
            "title": "Trail Rewards points missing from an in-store purchase",
            "body": (
                "I bought a sleeping mat in store last weekend and scanned my Trail Rewards card at the till, but the points "
                "still haven't shown up in my account. Points from my online orders always appear straight away. "
                "Did something go wrong?"
            ),
            "days_ago": 12,
            "replies": [
                {
                    "author": "sarah.chen@example.com",
                    "body": "In-store points took about a week to show up for me. They seem to be added in batches.",
                    "hours_after": 3,
                },
                {
                    "author": "priya.community@northwind.example",
                    "body": (
                        "Hi Ana, Sarah's right: in-store points can take up to **10 days** to appear, while online points are added "
                        "when the order ships. If they're still missing after that, go to *Trail Rewards > Missing points* and upload "
                        "a photo of your receipt, and we'll add them manually."
                    ),
                    "hours_after": 5,
                },
                {
                    "author": "ana.gomez@example.com",
                    "body": "They appeared this morning, nine days later. Thanks both!",
                    "hours_after": 200,
                },
            ],
        },
        {
            "category": "rewards-gift-cards",
            "kind": "question",
            "author": "trailmike@example.com",
            "title": "Can Trail Rewards vouchers be used on sale items?",
            "body": (
                "I've got a £10 Trail Rewards voucher that expires at the end of the month. Can I use it on items that are "
                "already reduced, or is it full-price only? The terms page is a bit vague on this."
            ),
            "days_ago": 1,
            "replies": [],
        },
        {
            "category": "trip-reports",
            "kind": "discussion",
            "author": "trailmike@example.com",
            "title": "Trip report: three days on the coast path, out of season",
            "body": (
                "Just back from three days and about 55 km of coast path with my brother. A few notes in case they help "
                "anyone planning something similar:\n\n"
                "- **Weather**: two dry days and one day of sideways rain. The wind was a bigger problem than the rain.\n"
                "- **Tent**: the Tarn 2 held up fine, but pitch with the door facing away from the sea. Trust me.\n"
                "- **Water**: fewer refill points than expected out of season, so carry at least 2 litres.\n"
                "- **Feet**: trail runners were great on the dry days and miserable on the wet one.\n\n"
                "Would do it again in a heartbeat. Anyone else been out on the coast lately?"
            ),
            "days_ago": 42,
            "replies": [
                {
                    "author": "jess.harper@example.com",
                    "body": "Love this! The bit about the door made me laugh. We learned the same lesson the hard way.",
                    "hours_after": 5,
                },
                {
                    "author": "ben.walsh@example.com",
                    "body": "How were the campsites out of season? Mostly open or mostly closed?",
                    "hours_after": 20,
                },
                {
                    "author": "trailmike@example.com",
                    "body": "About half were shut. We wild-camped one night where it's allowed and stayed at a farm campsite the other. Worth ringing ahead.",
                    "hours_after": 24,
                },
                {
                    "author": "admin@northwind.example",
                    "body": "Great report, Mike, thanks for sharing! Would you mind if we featured it in next month's newsletter?",
                    "hours_after": 30,
                },
                {
                    "author": "trailmike@example.com",
                    "body": "Not at all, happy to 🙂",
                    "hours_after": 33,
                },
            ],
        },
        {
            "category": "trip-reports",
            "kind": "discussion",
            "author": "sarah.chen@example.com",
            "title": "First winter camping trip: what I'd do differently",
            "body": (
                "Did my first winter overnight last weekend (about −4°C at night). I survived, but it wasn't exactly comfortable. "
                "What I learned:\n\n"
                "1. My three-season mat wasn't enough. The cold came up from the ground, not through the air.\n"
                "2. Keep the gas canister in your sleeping bag overnight, or it barely works in the morning.\n"
                "3. Condensation inside the tent is *real*. Everything was damp by morning.\n\n"
                "What were your biggest winter lessons?"
            ),
            "days_ago": 56,
            "replies": [
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Great list, Sarah. On point 1, check your mat's **R-value**: for sub-zero nights you want 4 or more. "
                        "A cheap foam mat under your inflatable one gives it a big boost. For condensation, keep the vents "
                        "open even when it's cold."
                    ),
                    "hours_after": 4,
                },
                {
                    "author": "tom.okafor@example.com",
                    "body": "A sealed metal bottle filled with hot water at the bottom of your sleeping bag. Game changer.",
                    "hours_after": 10,
                },
                {
                    "author": "lena.fischer@example.com",
                    "body": "Eat something fatty right before bed! Cheese and nuts kept me much warmer.",
                    "hours_after": 27,
                },
                {
                    "author": "sarah.chen@example.com",
                    "body": "All great tips, thank you. The foam mat trick is going straight on the list.",
                    "hours_after": 30,
                },
            ],
        },
        {
            "category": "gear-advice",
            "kind": "discussion",
            "author": "jess.harper@example.com",
            "title": "What's in your day-hike kit?",
            "body": (
                "I'm putting together a proper day-hike bag for the first time instead of grabbing random stuff every weekend. "
                "What do you always carry, and what have you stopped bringing?"
            ),
            "days_ago": 19,
            "replies": [
                {
                    "author": "trailmike@example.com",
                    "body": (
                        "Always: waterproof jacket, a spare warm layer, head torch, small first-aid kit, phone and power bank, "
                        "and more food than I think I'll need. Stopped bringing: a second pair of shoes."
                    ),
                    "hours_after": 2,
                },
                {
                    "author": "ana.gomez@example.com",
                    "body": "A sit mat! It weighs nothing and makes lunch on wet rocks so much nicer.",
                    "hours_after": 6,
                },
                {
                    "author": "dan.gear@northwind.example",
                    "body": (
                        "Great lists. Two things people often forget: a **paper map** (batteries die) and a whistle. "
                        "Our free [day-hike checklist](https://northwind.example/guides/day-hike-checklist) covers the rest."
                    ),
                    "hours_after": 9,
                },
                {
                    "author": "jess.harper@example.com",
                    "body": "Paper map, yes. I keep relying on my phone. Adding it now, thanks everyone!",
                    "hours_after": 12,
                },
            ],
        },
    ],
}

# Idea boards: one per community, with ideas in every status (a duplicate gets merged).
TELECOM["idea_board"] = {
    "slug": "idees",
    "name": "Vos idées",
    "description": "Proposez et votez pour les améliorations de nos offres et services.",
}
TELECOM["ideas"] = [
    {
        "author": "marc.giraud@example.com",
        "title": "Programmer les horaires du Wi-Fi invité depuis l'appli",
        "body": "Pouvoir couper le Wi-Fi invité automatiquement la nuit, **depuis l'appli Horizon**, sans passer par l'interface de la box.",
        "status": "in_progress",
        "response": "Bonne nouvelle : la fonction est en cours de développement pour l'appli 5.2.",
        "votes": 9,
    },
    {
        "author": "nadia.benali@example.com",
        "title": "Afficher la consommation data en temps réel",
        "body": "Le compteur de l'espace client a parfois 24 h de retard. Un affichage en temps réel éviterait les mauvaises surprises.",
        "status": "planned",
        "response": "Prévu pour le premier trimestre : le compteur sera rafraîchi toutes les 15 minutes.",
        "votes": 8,
    },
    {
        "author": "claire.fontaine@example.com",
        "title": "Un mode sombre pour l'espace client",
        "body": "L'espace client est très lumineux le soir. Un mode sombre serait bienvenu.",
        "status": "done",
        "response": "C'est en ligne ! Activez-le dans Mon compte > Affichage.",
        "votes": 6,
    },
    {
        "author": "lucas.perrin@example.com",
        "title": "Recevoir la facture au format CSV",
        "body": "Pour ma comptabilité d'auto-entrepreneur, un export CSV des lignes de facture serait idéal.",
        "status": "under_review",
        "response": "Nous étudions le besoin avec l'équipe facturation.",
        "votes": 4,
    },
    {
        "author": "pierrot69@example.com",
        "title": "Roaming gratuit dans le monde entier",
        "body": "Pourquoi ne pas inclure tous les pays du monde dans le forfait ?",
        "status": "declined",
        "response": "Nous ne pouvons pas le proposer aujourd'hui : les tarifs de gros hors UE restent trop élevés.",
        "votes": 3,
    },
    {
        "author": "sophie.martin@example.com",
        "title": "Contrôle parental par profil sur le décodeur",
        "body": "Un code par profil (enfants, ados) plutôt qu'un seul code pour toute la maison.",
        "status": "new",
        "response": "",
        "votes": 5,
    },
    {
        "author": "thomas.leroy@example.com",
        "title": "Wi-Fi invité programmable selon l'heure",
        "body": "Ce serait pratique de programmer l'extinction du réseau invité.",
        "status": "merged",
        "response": "",
        "votes": 2,
        "merge_into": "Programmer les horaires du Wi-Fi invité depuis l'appli",
    },
]
RETAILER["idea_board"] = {
    "slug": "ideas",
    "name": "Ideas",
    "description": "Suggest and vote on what Northwind should do next.",
}
RETAILER["ideas"] = [
    {
        "author": "trailmike@example.com",
        "title": "Repair service for tents and backpacks",
        "body": "A paid in-store repair service (zips, seams, poles) would keep gear out of landfill.",
        "status": "in_progress",
        "response": "We are piloting repairs in three stores this spring.",
        "votes": 9,
    },
    {
        "author": "sarah.chen@example.com",
        "title": "Show the temperature rating of sleeping bags in the filters",
        "body": "Let us filter sleeping bags by comfort and limit temperature.",
        "status": "planned",
        "response": "Planned for the next website release.",
        "votes": 7,
    },
    {
        "author": "lena.fischer@example.com",
        "title": "Gear rental for beginners",
        "body": "Renting a tent and stove for a first trip before buying would be great.",
        "status": "done",
        "response": "Rental is live in all stores: see the Rentals page.",
        "votes": 6,
    },
    {
        "author": "ben.walsh@example.com",
        "title": "Loyalty points for returning used gear",
        "body": "Give points when we bring back gear for the second-hand corner.",
        "status": "under_review",
        "response": "Our loyalty team is looking at how this could work.",
        "votes": 4,
    },
    {
        "author": "tom.okafor@example.com",
        "title": "Free next-day delivery on every order",
        "body": "No minimum basket for next-day delivery, please!",
        "status": "declined",
        "response": "Not possible for now; free standard delivery stays from $50.",
        "votes": 3,
    },
    {
        "author": "ana.gomez@example.com",
        "title": "Trail condition reports in the app",
        "body": "Members could post trail conditions (mud, snow) for nearby routes.",
        "status": "new",
        "response": "",
        "votes": 5,
    },
    {
        "author": "jess.harper@example.com",
        "title": "Rent gear before buying it",
        "body": "Could we try a tent for a weekend first?",
        "status": "merged",
        "response": "",
        "votes": 2,
        "merge_into": "Gear rental for beginners",
    },
]

# What the moderation queue holds in the demo: each goes there for a different reason.
TELECOM["moderation"] = {
    "newcomer": {
        "email": "nouveau.client@example.com",
        "name": "Inès (nouvelle cliente)",
        "body": "Bonjour, même souci chez moi depuis hier soir. Je suis nouvelle ici !",
    },
    "abusive": "Franchement, vous êtes des escrocs. Service client de merde, trois semaines sans réponse.",
    "personal_data": "Je vous laisse mon numéro pour qu'un technicien me rappelle : 06 12 34 56 78.",
    "flagged": "Quelqu'un veut acheter mon vieux vélo ? Très bon état, 80 €.",
    # Added by its author to a certified answer: the certification goes back for review.
    "answer_update": "\n\n**Mise à jour :** je précise la marche à suivre après vos retours, merci à tous.",
}
RETAILER["moderation"] = {
    "newcomer": {
        "email": "new.shopper@example.com",
        "name": "Morgan (new here)",
        "body": "Same problem with my order, glad I am not the only one!",
    },
    "abusive": "This is a scam and your support staff are idiots. Worst shop ever.",
    "personal_data": "Please call me back on +44 20 7946 0958 or email me at jo.bloggs@example.com.",
    "flagged": "Selling my old kayak, great condition, message me for the price!",
    # Added by its author to a certified answer: the certification goes back for review.
    "answer_update": "\n\n**Update:** I clarified the steps after your feedback, thanks all.",
}

# The contact centre's business hours (SLA clocks run only while it is open). Members with a
# customer_tier / customer_id above carry what the brand's SSO would say of them.
TELECOM["escalation"] = {
    "calendar": {
        "timezone": "Europe/Paris",
        "days": [0, 1, 2, 3, 4],
        "start": "09:00",
        "end": "18:00",
        "holiday_country": "FR",
    },
}
RETAILER["escalation"] = {
    "calendar": {
        "timezone": "America/New_York",
        "days": [0, 1, 2, 3, 4],
        "start": "09:00",
        "end": "18:00",
        "holiday_country": "US",
    },
}

# Tags a manager defined, and the threads filed under each (by title).
TELECOM["tags"] = [
    {
        "name": "Wi-Fi",
        "description": "Réseau sans fil, répéteurs et Wi-Fi invité.",
        "threads": [
            "Quel répéteur Wi‑Fi pour une maison sur deux étages ?",
            "Ma box redémarre toute seule plusieurs fois par jour",
            "Mon routeur coupe le Wi‑Fi toutes les heures",
        ],
    },
    {
        "name": "Fibre",
        "description": "Raccordement et débit de la fibre optique.",
        "threads": [
            "Raccordement fibre repoussé pour la troisième fois…",
            "Retour d'expérience : 6 mois de fibre après 15 ans d'ADSL",
        ],
    },
    {
        "name": "Box",
        "description": "La Box Horizon et son décodeur.",
        "threads": [
            "Ma box redémarre toute seule plusieurs fois par jour",
            "Résiliation de la box : frais et retour du matériel ?",
            "Décodeur : écran noir et code erreur E-204",
        ],
    },
    {
        "name": "Facture",
        "description": "Montants, options et prélèvements.",
        "threads": [
            "87 € de hors forfait après une semaine au Maroc, sérieusement ?",
            "Option « Sécurité+ » facturée sans que je l'aie demandée",
            "Impossible de modifier mon RIB pour le prélèvement",
        ],
    },
    {
        "name": "eSIM",
        "description": "",
        "threads": ["Activation eSIM impossible : « code non valide »"],
    },
]
RETAILER["tags"] = [
    {
        "name": "Refunds",
        "description": "When and how money comes back.",
        "threads": [
            "Return delivered 10 days ago but no refund yet",
            "Cancelled order: when do I get my refund?",
            "Exchanging boots for half a size up: do I have to return them first?",
        ],
    },
    {
        "name": "Delivery",
        "description": "Tracking, addresses and click-and-collect.",
        "threads": [
            "Tracking stuck on 'In transit' for five days",
            "Click-and-collect: can someone else pick up my order?",
            "Can I change the delivery address after ordering?",
        ],
    },
    {
        "name": "Footwear",
        "description": "Boots, sizing and fit.",
        "threads": [
            "Exchanging boots for half a size up: do I have to return them first?",
            "Between sizes with wide feet: which boot size should I get?",
        ],
    },
    {
        "name": "Camping",
        "description": "",
        "threads": [
            "Tent flysheet no longer waterproof: re-proof or replace?",
            "Will your gas canisters fit my old stove? And can it run on liquid fuel?",
            "First winter camping trip: what I'd do differently",
        ],
    },
    {
        "name": "Trail Rewards",
        "description": "The loyalty programme.",
        "threads": [
            "Trail Rewards points missing from an in-store purchase",
            "Can Trail Rewards vouchers be used on sale items?",
        ],
    },
]

# Threads search is measured on (tests/search/relevance.py): added last, so that the
# reactions given by each thread's position stay as they were for the others.
TELECOM["threads"] += [
    {
        "category": "box-internet",
        "kind": "question",
        "author": "thomas.leroy@example.com",
        "title": "Mon routeur coupe le Wi‑Fi toutes les heures",
        "body": (
            "Bonjour,\n\n"
            "Depuis le changement de box, le **routeur** coupe le Wi‑Fi à peu près toutes les heures : "
            "les téléphones et l'ordinateur perdent la connexion sans fil pendant une minute, puis tout revient. "
            "Le câble Ethernet, lui, ne décroche jamais. Une idée ?"
        ),
        "days_ago": 6,
        "replies": [
            {
                "author": "karim.expert@horizon.example",
                "body": (
                    "Bonjour Thomas,\n\n"
                    "Ces coupures du Wi‑Fi viennent souvent d'un canal encombré par les réseaux des voisins. "
                    "Dans `Paramètres > Wi‑Fi`, choisissez un canal fixe (1, 6 ou 11 en 2,4 GHz), séparez les "
                    "réseaux 2,4 et 5 GHz et désactivez la veille Wi‑Fi programmée. Redémarrez ensuite le routeur."
                ),
                "hours_after": 2,
            },
            {
                "author": "thomas.leroy@example.com",
                "body": "Canal 11 et plus de veille : aucune déconnexion depuis deux jours, merci !",
                "hours_after": 50,
            },
        ],
    },
]

RETAILER["threads"] += [
    {
        "category": "orders-delivery",
        "kind": "question",
        "author": "tom.okafor@example.com",
        "title": "Cancelled order: when do I get my refund?",
        "body": (
            "I cancelled an order an hour after placing it (wrong size of trail shoes) and got the cancellation "
            "email, but the money is still gone from my card a week later. How long does a refund take for a "
            "cancelled order?"
        ),
        "days_ago": 5,
        "replies": [
            {
                "author": "priya.community@northwind.example",
                "body": (
                    "Hi Tom, when an order is cancelled before it ships we release the payment the same day, "
                    "but some banks take up to 7 working days to show the refund. If it is not back after that, "
                    "send us the order number and we will chase it with the payments team."
                ),
                "hours_after": 3,
            },
        ],
    },
]
