"""How well search finds what customers look for, in their own words, on the demo corpus.

Each case is a query as a customer would type it (misspelt, without accents, in everyday
words) and the threads that answer it (the start of their titles); a case is a hit when one
of them is among the first three results. `measure` runs every case against the demo
communities (`community.demo`), seeded through the services, indexed through the queue.

    .venv/bin/python benchmarks/search_relevance.py
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import session_scope
from community.scope import Scope
from community.search import service
from community.search.port import SearchQuery
from community.tenancy.models import Tenant

TOP = 3


@dataclass(frozen=True)
class Case:
    tenant: str
    query: str
    answers: tuple[str, ...]  # title prefixes of the threads that answer it


def fr(query: str, *answers: str) -> Case:
    return Case("horizon", query, answers)


def en(query: str, *answers: str) -> Case:
    return Case("northwind", query, answers)


ROUTER = "Mon routeur coupe le Wi"
REFUNDS = ("Return delivered 10 days ago", "Cancelled order: when do I get my refund")
CASES: tuple[Case, ...] = (
    fr("rooter qui coupe le wifi", ROUTER),
    fr("routeur wifi deconnexion", ROUTER),
    fr("le wifi saute toutes les heures", ROUTER),
    fr("wifi coupe", ROUTER),
    fr("box qui redemarre toute seule", "Ma box redémarre"),
    fr("ma box reboot le soir", "Ma box redémarre"),
    fr("repeteur wifi etage", "Quel répéteur Wi"),
    fr("wifi faible dans les chambres", "Quel répéteur Wi"),
    fr("raccordement fibre retarde", "Raccordement fibre"),
    fr("rdv fibre annule technicien", "Raccordement fibre"),
    fr("passer de l'adsl a la fibre", "Retour d'expérience : 6 mois de fibre"),
    fr("esim code non valide", "Activation eSIM"),
    fr("activer esim qr code", "Activation eSIM"),
    fr("portabilite rio refuse", "Portabilité : mon RIO"),
    fr("garder mon numero en changeant d'operateur", "Portabilité : mon RIO"),
    fr("hors forfait maroc", "87 € de hors forfait"),
    fr("facture etranger roaming", "87 € de hors forfait", "Roaming gratuit"),
    fr("pas de 5g", "Toujours pas de 5G"),
    fr("option securite facturee", "Option « Sécurité+ »"),
    fr("factur option non demandee", "Option « Sécurité+ »"),
    fr("resiliation box frais", "Résiliation de la box"),
    fr("resilier et rendre le materiel", "Résiliation de la box"),
    fr("changer de rib prelevement", "Impossible de modifier mon RIB"),
    fr("nouvelle banque prelevement facture", "Impossible de modifier mon RIB"),
    fr("decodeur ecran noir", "Décodeur : écran noir"),
    fr("erreur e204", "Décodeur : écran noir"),
    fr("code pin controle parental oublie", "Contrôle parental : j'ai oublié"),
    fr("controle parentale", "Contrôle parental", "Contrôle parental par profil"),
    fr(
        "wifi invite horaires",
        "Suggestion : programmer les horaires",
        "Programmer les horaires",
        "Wi-Fi invité programmable",
    ),
    fr("mode sombre", "Un mode sombre"),
    fr("facture csv", "Recevoir la facture au format CSV"),
    en("refund my ordr", *REFUNDS),
    en("where is my refund", *REFUNDS),
    en("cancelled order money back", "Cancelled order: when do I get my refund"),
    en("parcel stuck in transit", "Tracking stuck on 'In transit'"),
    en("tracking not updating", "Tracking stuck on 'In transit'"),
    en("someone else collect my order", "Click-and-collect"),
    en("change delivery adress", "Can I change the delivery address"),
    en("exchange boots bigger size", "Exchanging boots for half a size"),
    en("broken zip backpack warranty", "Zip failed on my Ridgeline"),
    en("tent leaking rain", "Tent flysheet no longer waterproof"),
    en("waterproofing flysheet", "Tent flysheet no longer waterproof"),
    en("wide feet boot size", "Between sizes with wide feet"),
    en("wash down jacket", "How do I wash a down jacket"),
    en("gas canister stove compatible", "Will your gas canisters fit"),
    en("giftcard online and in store", "Can I use a gift card"),
    en("rewards points missing", "Trail Rewards points missing"),
    en("voucher on sale items", "Can Trail Rewards vouchers"),
    en("winter camping tips", "First winter camping trip"),
    en("day hike kit list", "What's in your day-hike kit"),
    en("coastal path trip", "Trip report: three days on the coast path"),
    en("rent gear", "Gear rental for beginners", "Rent gear before buying it"),
    en("repair my tent", "Repair service for tents", "Tent flysheet no longer waterproof"),
)


@dataclass
class Report:
    hits: int = 0
    misses: list[tuple[Case, list[str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.hits + len(self.misses)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


async def measure(sessions: async_sessionmaker[AsyncSession]) -> Report:
    """Run every case against the seeded demo communities."""
    report = Report()
    for case in CASES:
        titles = await _top(sessions, case)
        if any(title.startswith(case.answers) for title in titles):
            report.hits += 1
        else:
            report.misses.append((case, titles))
    return report


async def _top(sessions: async_sessionmaker[AsyncSession], case: Case) -> list[str]:
    async with session_scope(sessions) as session:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == case.tenant))
        assert tenant_id is not None, f"seed the demo first: no tenant {case.tenant}"
        scope = await Scope.load(session, tenant_id)
        results = await service.search(scope, SearchQuery(case.query, limit=TOP))
    return [hit.title for hit in results.hits]


def describe(report: Report) -> str:
    lines = [f"top-{TOP} hit rate: {report.hits}/{report.total} = {report.rate:.0%}"]
    for case, titles in report.misses:
        lines.append(f"  miss [{case.tenant}] {case.query!r}: {titles}")
    return "\n".join(lines)
