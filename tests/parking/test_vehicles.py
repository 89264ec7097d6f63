"""Vehicle data: registrations, the DVLA client against a local HTTP server, the local client,
and the settings that choose between them."""

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug import Response

from parking.clients.vehicles import (
    DEMO_VEHICLES,
    REGISTRATION_FORMATS,
    DvlaVehicleClient,
    LocalVehicleClient,
    Vehicle,
    get_vehicle_client,
    is_uk_registration,
    lookup_vehicle,
    normalise_registration,
    registration_format,
)
from parking.exceptions import (
    InvalidRegistration,
    VehicleLookupError,
    VehicleNotFound,
    VehicleServiceUnavailable,
)
from tests.test_settings import PRODUCTION

PATH = "/vehicle-enquiry/v1/vehicles"
KEY = "test-api-key"

# A 200 body as DVLA's documentation shows it, fields we do not use included.
DVLA_BODY = {
    "registrationNumber": "AB12CDE",
    "artEndDate": "2025-03-30",
    "co2Emissions": 135,
    "engineCapacity": 1598,
    "euroStatus": "EURO 6",
    "markedForExport": False,
    "fuelType": "PETROL",
    "motStatus": "Valid",
    "revenueWeight": 1890,
    "colour": "SILVER",
    "make": "FORD",
    "typeApproval": "M1",
    "yearOfManufacture": 2018,
    "taxDueDate": "2026-03-01",
    "taxStatus": "Taxed",
    "dateOfLastV5CIssued": "2019-05-20",
    "wheelplan": "2 AXLE RIGID BODY",
    "monthOfFirstDvlaRegistration": "2019-03",
    "monthOfFirstRegistration": "2019-03",
}
DVLA_VEHICLE = Vehicle(
    registration="AB12CDE",
    make="FORD",
    colour="SILVER",
    fuel_type="PETROL",
    co2_emissions=135,
    engine_capacity=1598,
    year_of_manufacture=2018,
    month_of_first_registration=date(2019, 3, 1),
    revenue_weight=1890,
    tax_status="Taxed",
)


# --- Registrations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ab12 cde", "AB12CDE"),
        ("  AB12CDE  ", "AB12CDE"),
        ("a b 1 2 c d e", "AB12CDE"),
        ("AB12-CDE", "AB12CDE"),
        ("ab12\tcde\n", "AB12CDE"),
        ("AB12\u00a0CDE", "AB12CDE"),  # a no-break space pasted from a document
        ("ab12\u2013cde", "AB12CDE"),  # an en dash
        ("AB12.CDE", "AB12.CDE"),  # other punctuation stays, and makes it invalid
        ("", ""),
    ],
)
def test_normalise_registration(typed, normalised):
    assert normalise_registration(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("AB12CDE", "current"),
        ("ab51 cde", "current"),
        ("A123BCD", "prefix"),
        ("a1 bcd", "prefix"),
        ("ABC123D", "suffix"),
        ("ABC 1D", "suffix"),
        ("1234AB", "dateless"),
        ("AB1234", "dateless"),
        ("ABC123", "dateless"),
        ("1ABC", "dateless"),
        ("A1", "dateless"),
        ("9999 ZZZ", "dateless"),
        ("ABZ 1234", "dateless"),  # Northern Ireland
        ("IA 123", "dateless"),  # Northern Ireland
    ],
)
def test_uk_registrations_are_recognised_with_their_format(typed, kind):
    assert registration_format(typed) == kind
    assert is_uk_registration(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "A",  # letters alone
        "1234",  # digits alone
        "AB12CDEF",  # eight characters
        "ABCD123",  # four letters first
        "AB12345",  # five digits
        "12AB34",  # digits both sides
        "AB1C2DE",
        "123D456",  # diplomatic: not accepted
        "AB12.CDE",
        "AB12ÇDE",
        "AB\u0661\u0662CDE",  # Arabic-Indic digits are digits to Python, not on a plate
        "\uff21\uff2212\uff23\uff24\uff25",  # full-width letters
    ],
)
def test_other_text_is_not_a_uk_registration(typed):
    assert not is_uk_registration(typed)


@given(st.text())
def test_normalising_is_idempotent(text):
    once = normalise_registration(text)
    assert normalise_registration(once) == once


@st.composite
def typed_registrations(draw):
    """A valid registration of any format, typed in any case with any spacing or dashes."""
    kind = draw(st.sampled_from(sorted(REGISTRATION_FORMATS)))
    registration = draw(st.from_regex(REGISTRATION_FORMATS[kind], fullmatch=True))
    typed = []
    for character in registration:
        typed.append(draw(st.sampled_from(["", "", " ", "  ", "\t", "-"])))
        typed.append(character.lower() if draw(st.booleans()) else character)
    typed.append(draw(st.sampled_from(["", " ", "\n"])))
    return registration, "".join(typed)


@given(typed_registrations())
def test_any_spacing_and_case_of_a_valid_registration_stays_valid(case):
    registration, typed = case
    assert is_uk_registration(typed)
    assert normalise_registration(typed) == registration


# --- The local implementation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registration", "check"),
    [
        ("LB19PET", lambda v: v.fuel_type == "PETROL" and v.revenue_weight <= 3500),
        ("LB19EVE", lambda v: v.is_electric and v.co2_emissions == 0),
        ("LB19EVE", lambda v: v.engine_capacity is None),
        ("LB19DSL", lambda v: v.is_diesel and v.co2_emissions > 0),
        ("LB19VAN", lambda v: v.revenue_weight == 3500),
        ("LB19HGV", lambda v: v.revenue_weight > 3500),
        ("J123HCK", lambda v: v.month_of_first_registration < date(2001, 1, 1)),
        ("J123HCK", lambda v: v.co2_emissions is None and v.engine_capacity == 1598),
        ("lb19 pet", lambda v: v.registration == "LB19PET"),
    ],
)
def test_documented_demo_registrations(registration, check):
    assert check(LocalVehicleClient().lookup(registration))


@pytest.mark.parametrize(
    ("registration", "outcome"),
    [
        ("ER19NFD", VehicleNotFound),
        ("er19 nfd", VehicleNotFound),
        ("ER19MNT", VehicleServiceUnavailable),
        ("ER19BAD", InvalidRegistration),
        ("NOT A REG", InvalidRegistration),
    ],
)
def test_documented_local_outcomes(registration, outcome):
    with pytest.raises(outcome):
        LocalVehicleClient().lookup(registration)


def test_every_outcome_is_a_vehicle_lookup_error():
    for outcome in (VehicleNotFound, VehicleServiceUnavailable, InvalidRegistration):
        assert issubclass(outcome, VehicleLookupError)


@given(typed_registrations())
def test_local_vehicles_are_the_same_however_the_registration_is_typed(case):
    registration, typed = case
    client = LocalVehicleClient()
    assert client.lookup(typed) == client.lookup(registration)


def inconsistencies(vehicle: Vehicle) -> list[str]:
    """What a made-up vehicle says that real vehicle data could not."""
    problems = []
    if vehicle.month_of_first_registration < date(2001, 3, 1):
        if vehicle.co2_emissions is not None:
            problems.append("a CO2 figure before March 2001 (DVLA has none)")
        if vehicle.fuel_type not in {"PETROL", "DIESEL"}:
            problems.append("electric or hybrid before 2001")
    elif vehicle.is_electric:
        if (vehicle.co2_emissions, vehicle.engine_capacity) != (0, None):
            problems.append("electric with CO2 or an engine size")
    elif not (vehicle.co2_emissions and vehicle.engine_capacity):
        problems.append("burns fuel without CO2 or an engine size")
    if vehicle.year_of_manufacture != vehicle.month_of_first_registration.year:
        problems.append("made in another year than first registered")
    if Vehicle.from_dvla(vehicle.as_dvla()) != vehicle:
        problems.append("does not survive as_dvla and from_dvla")
    return problems


# A fixed sweep of current-format and prefix registrations, for what hypothesis may not draw.
LETTERS = "ABCDEFGHJKLMNPRSTVWXY"
SWEEP = [
    f"L{a}{age:02d}{b}{c}X"
    for age in (15, 22, 68)
    for a in "ABCD"
    for b in LETTERS
    for c in "ABCDEFG"
]
SWEEP += [f"{y}{n}ABC" for y in "ABCDEFGHJKLMNPRS" for n in range(1, 40)]


@given(typed_registrations())
def test_local_vehicles_are_consistent(case):
    registration, _ = case
    if registration in DEMO_VEHICLES or registration.startswith("ER19"):
        return
    vehicle = LocalVehicleClient().lookup(registration)
    assert vehicle.registration == registration
    assert inconsistencies(vehicle) == []


def test_local_vehicles_across_a_sweep_are_consistent():
    client = LocalVehicleClient()
    found = {r: inconsistencies(client.lookup(r)) for r in SWEEP}
    assert {r: problems for r, problems in found.items() if problems} == {}


@pytest.mark.parametrize(
    ("registration", "earliest", "latest"),
    [
        ("AB19CDE", date(2019, 3, 1), date(2019, 8, 1)),
        ("AB69CDE", date(2019, 9, 1), date(2020, 2, 1)),
        ("F123ABC", date(1988, 8, 1), date(1989, 1, 1)),
        ("Y123ABC", date(2001, 3, 1), date(2001, 8, 1)),
        ("ABC123D", date(1966, 1, 1), date(1966, 6, 1)),
    ],
)
def test_local_vehicles_are_as_old_as_their_plates(registration, earliest, latest):
    month = LocalVehicleClient().lookup(registration).month_of_first_registration
    assert earliest <= month <= latest


def test_local_vehicles_cover_every_kind_the_rules_care_about():
    client = LocalVehicleClient()
    vehicles = [client.lookup(r) for r in SWEEP]
    assert {v.fuel_type for v in vehicles} == {"PETROL", "DIESEL", "HYBRID ELECTRIC", "ELECTRICITY"}
    assert any(v.revenue_weight > 3500 for v in vehicles)
    assert any(v.revenue_weight == 3500 for v in vehicles)
    assert any(v.year_of_manufacture < 2001 for v in vehicles)
    heavy = sum(v.revenue_weight > 3500 for v in vehicles) / len(vehicles)
    assert 0.02 < heavy < 0.07  # "a few", as documented: about 1 in 25


# --- The DVLA client against a local HTTP server ------------------------------------------------


def dvla_client(httpserver, **overrides):
    options = {
        "base_url": httpserver.url_for("/"),
        "api_key": KEY,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "attempts": 3,
        "backoff": 0.01,
        "time_limit": 2.0,
        **overrides,
    }
    return DvlaVehicleClient(**options)


def test_the_request_is_shaped_exactly_like_dvla_s(httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_json(DVLA_BODY)

    dvla_client(httpserver).lookup("ab12 cde")

    (request, _), *others = httpserver.log
    assert not others
    assert (request.method, request.path) == ("POST", PATH)
    assert request.headers["x-api-key"] == KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.get_json() == {"registrationNumber": "AB12CDE"}


def test_a_found_vehicle_maps_every_field(httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_json(DVLA_BODY)

    assert dvla_client(httpserver).lookup("AB12CDE") == DVLA_VEHICLE


def test_an_electric_vehicle_without_engine_capacity_maps_to_none(httpserver):
    body = {**DVLA_BODY, "fuelType": "ELECTRICITY", "co2Emissions": 0}
    del body["engineCapacity"]
    httpserver.expect_request(PATH).respond_with_json(body)

    vehicle = dvla_client(httpserver).lookup("AB12CDE")

    assert (vehicle.is_electric, vehicle.co2_emissions, vehicle.engine_capacity) == (True, 0, None)


@pytest.mark.parametrize(
    ("status", "outcome"), [(400, InvalidRegistration), (404, VehicleNotFound)]
)
def test_client_errors_map_to_their_outcome_without_retrying(httpserver, status, outcome):
    body = {"errors": [{"status": str(status), "code": str(status), "title": "x", "detail": "y"}]}
    httpserver.expect_request(PATH).respond_with_json(body, status=status)

    with pytest.raises(outcome):
        dvla_client(httpserver).lookup("AB12CDE")

    assert len(httpserver.log) == 1


def test_a_rate_limited_request_succeeds_on_retry(httpserver):
    httpserver.expect_oneshot_request(PATH).respond_with_json({"message": "slow down"}, status=429)
    httpserver.expect_oneshot_request(PATH).respond_with_json(DVLA_BODY)

    assert dvla_client(httpserver).lookup("AB12CDE") == DVLA_VEHICLE
    assert [response.status_code for _, response in httpserver.log] == [429, 200]


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_repeated_failures_are_unavailable_after_every_attempt(httpserver, status):
    httpserver.expect_request(PATH).respond_with_data("down", status=status)
    started = time.monotonic()

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver, attempts=3, backoff=0.01, time_limit=2.0).lookup("AB12CDE")

    assert len(httpserver.log) == 3
    assert time.monotonic() - started < 2.0


def test_retries_stop_at_the_time_limit(httpserver):
    # The next wait (0.5 s, then 1 s) would end past the 0.3 s limit: give up at once.
    httpserver.expect_request(PATH).respond_with_data("down", status=503)
    started = time.monotonic()

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver, attempts=5, backoff=0.5, time_limit=0.3).lookup("AB12CDE")

    assert len(httpserver.log) == 1
    assert time.monotonic() - started < 0.3


def test_a_retry_after_longer_than_the_time_limit_is_not_waited_for(httpserver):
    httpserver.expect_request(PATH).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "60"}
    )

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver, time_limit=1.0).lookup("AB12CDE")

    assert len(httpserver.log) == 1


def test_a_slow_service_is_unavailable_after_the_read_timeout(httpserver):
    released = threading.Event()

    def slow(request):
        released.wait(timeout=5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(VehicleServiceUnavailable):
            dvla_client(httpserver, read_timeout=0.2).lookup("AB12CDE")
        assert time.monotonic() - started < 1.0
    finally:
        released.set()  # let the server finish, so the next test finds it free


def test_no_connection_is_unavailable():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = DvlaVehicleClient(
        base_url=f"http://127.0.0.1:{port}", api_key=KEY, attempts=2, backoff=0.01
    )

    with pytest.raises(VehicleServiceUnavailable):
        client.lookup("AB12CDE")


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '{"make": "FORD"}',  # no registrationNumber
        '{"registrationNumber": "AB12CDE", "co2Emissions": "lots"}',
        '{"registrationNumber": "AB12CDE", "monthOfFirstRegistration": "March 2019"}',
    ],
)
def test_an_unreadable_answer_is_unavailable(httpserver, body):
    httpserver.expect_request(PATH).respond_with_data(body, content_type="application/json")

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver).lookup("AB12CDE")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_api_key_is_unavailable_without_retrying(httpserver, status):
    httpserver.expect_request(PATH).respond_with_json({"message": "Forbidden"}, status=status)

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver).lookup("AB12CDE")

    assert len(httpserver.log) == 1


def test_an_invalid_registration_is_refused_without_a_request(httpserver):
    with pytest.raises(InvalidRegistration):
        dvla_client(httpserver).lookup("NOT A REG")

    assert httpserver.log == []


def test_a_found_vehicle_is_cached_however_it_is_typed(httpserver):
    httpserver.expect_request(PATH).respond_with_json(DVLA_BODY)

    first = dvla_client(httpserver).lookup("AB12CDE")
    second = dvla_client(httpserver).lookup("ab12 cde")

    assert first == second == DVLA_VEHICLE
    assert len(httpserver.log) == 1


def test_not_found_is_cached(httpserver):
    httpserver.expect_request(PATH).respond_with_json({"errors": []}, status=404)

    for _ in range(2):
        with pytest.raises(VehicleNotFound):
            dvla_client(httpserver).lookup("AB12CDE")

    assert len(httpserver.log) == 1


def test_service_errors_are_not_cached(httpserver):
    httpserver.expect_oneshot_request(PATH).respond_with_data("down", status=503)
    httpserver.expect_oneshot_request(PATH).respond_with_json(DVLA_BODY)

    with pytest.raises(VehicleServiceUnavailable):
        dvla_client(httpserver, attempts=1).lookup("AB12CDE")
    vehicle = dvla_client(httpserver, attempts=1).lookup("AB12CDE")

    assert vehicle == DVLA_VEHICLE
    assert len(httpserver.log) == 2


# --- Choosing the implementation ----------------------------------------------------------------


def test_the_demo_default_is_the_local_implementation():
    assert isinstance(get_vehicle_client(), LocalVehicleClient)


def test_lookup_vehicle_uses_the_dvla_client_the_settings_describe(settings, httpserver):
    settings.VEHICLE_DATA_CLIENT = "dvla"
    settings.DVLA_VES_URL = httpserver.url_for("/").rstrip("/")
    settings.DVLA_VES_API_KEY = "from-settings"
    httpserver.expect_request(PATH, method="POST").respond_with_json(DVLA_BODY)

    assert lookup_vehicle("AB12 CDE") == DVLA_VEHICLE
    (request, _), *others = httpserver.log
    assert (request.headers["x-api-key"], others) == ("from-settings", [])


ROOT = Path(__file__).resolve().parent.parent.parent


def settings_problem(**env) -> str:
    """What start-up says of these settings in production: "" when it starts."""
    leaked = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in leaked and not k.startswith(("DVLA", "GOVUK_PAY"))
    }
    clean.pop("VEHICLE_DATA_CLIENT", None)
    clean.pop("PAYMENTS_CLIENT", None)
    result = subprocess.run(
        [sys.executable, "-c", "import hackney_portal.settings"],
        cwd=ROOT,
        env={**clean, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stderr.strip().splitlines()[-1] if result.returncode else ""


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"VEHICLE_DATA_CLIENT": "dvla", "DVLA_VES_API_KEY": ""}, "DVLA_VES_API_KEY must be set"),
        (
            {"VEHICLE_DATA_CLIENT": "dvla", "DVLA_VES_API_KEY": "k", "DVLA_VES_URL": "http://x"},
            "DVLA_VES_URL must be an https:// URL",
        ),
        ({"VEHICLE_DATA_CLIENT": "dvlaa"}, "VEHICLE_DATA_CLIENT must be local or dvla"),
        ({"DVLA_VES_READ_TIMEOUT": "0"}, "DVLA_VES_READ_TIMEOUT must be a number of seconds"),
        ({"DVLA_VES_ATTEMPTS": "0"}, "DVLA_VES_ATTEMPTS must be at least 1"),
    ],
)
def test_production_refuses_incomplete_vehicle_settings(env, problem):
    assert problem in settings_problem(**env)


def test_production_starts_with_the_dvla_client_and_a_key():
    assert settings_problem(VEHICLE_DATA_CLIENT="dvla", DVLA_VES_API_KEY="k") == ""
