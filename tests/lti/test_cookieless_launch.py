"""Launches whose browser keeps no cookie for the tool: postMessage storage, session token, new-tab fallback.

The browser here sends no cookie at all, and the test plays the platform frame's part of LTI Client Side
postMessage Storage (what lti-storage.js asks with lti.put_data / lti.get_data); the browser tests run
the same flow with the real scripts in Chromium.
"""
from __future__ import annotations

import html
import re

from tests.inprocess import Browser
from tests.peers.lti_platform import landing

MODULE = "vendre-sur-internet"


def _attribute(page, name: str) -> str:
    return html.unescape(re.search(rf'{name}="([^"]*)"', page.text).group(1))


def _login(platform, browser, storage_target: str | None):
    """The platform's login initiation, optionally offering postMessage storage; returns the tool's answer."""
    start = browser.get(f"{platform.url}/start", params={"scenario": "ok", "user": "learner-1", "locale": "fr"},
                        allow_redirects=False)
    login_url = start.headers["Location"] + (f"&lti_storage_target={storage_target}" if storage_target else "")
    return browser.get(login_url, allow_redirects=False)


def _launch_with_storage(tool, platform):
    """Login → put_data → platform auth → launch without cookie → get_data → launch: the final answer."""
    browser, frame_storage = Browser(tool.sites, use_cookies=False), {}
    put = _login(platform, browser, "_parent")
    assert put.status_code == 200 and 'data-mode="put"' in put.text
    assert _attribute(put, "data-origin") == platform.url  # messages go to the platform's origin only
    frame_storage[_attribute(put, "data-key")] = _attribute(put, "data-value")  # lti.put_data
    form = browser.get(_attribute(put, "data-next")).json()  # the platform answers with the id_token form
    check = browser.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]})
    assert check.status_code == 200 and 'data-mode="get"' in check.text
    binding = frame_storage.get(_attribute(check, "data-key"))  # lti.get_data
    answer = browser.post(form["launch_url"], allow_redirects=False, data={
        "id_token": form["id_token"], "state": form["state"], "lti_storage_binding": binding,
        "lti_storage_checked": "1"})
    return browser, answer


def test_storage_launch_then_sections_and_quiz_without_cookies(tool, platform):
    browser, module = _launch_with_storage(tool, platform)
    assert landing(module).startswith(f"/modules/{MODULE}?pt=") and "Vendre sur Internet" in module.text
    section_link = re.search(rf'href="(/modules/{MODULE}/sections/[^"]+\?pt=[^"]+)"', module.text).group(1)
    section = browser.get(tool.url + html.unescape(section_link))
    assert section.status_code == 200 and "Section 1 sur" in section.text

    start = browser.get(tool.url + html.unescape(re.search(rf'href="(/modules/{MODULE}/quiz\?pt=[^"]+)"',
                                                            _page_with_quiz_link(tool, browser, module)).group(1)))
    assert start.status_code == 200  # the start page: pass mark and questions, then the attempt
    begin = html.unescape(re.search(r'action="(/modules/[^"]+/quiz/new\?pt=[^"]+)"', start.text).group(1))
    quiz = browser.post(tool.url + begin,
                        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', start.text).group(1)})
    assert quiz.status_code == 200
    action = html.unescape(re.search(r'action="(/modules/[^"]+/quiz/\d+\?pt=[^"]+)"', quiz.text).group(1))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', quiz.text).group(1)
    questions = list(dict.fromkeys(re.findall(r'name="answer-(q\d+)"', quiz.text)))
    choices = [(f"answer-{q}", re.search(rf'name="answer-{q}" value="([^"]+)"', quiz.text).group(1)) for q in questions]
    result = browser.post(tool.url + action, data=[("csrf_token", csrf), *choices])
    assert result.status_code == 200 and "Score" in result.text


def _page_with_quiz_link(tool, browser, module) -> str:
    """The module page links the quiz once sections are read; else the page that does."""
    if re.search(rf'href="/modules/{MODULE}/quiz\?pt=', module.text):
        return module.text
    links = re.findall(rf'href="(/modules/{MODULE}/sections/[^"]+\?pt=[^"]+)"', module.text)
    for link in links:
        page = browser.get(tool.url + html.unescape(link))
        if re.search(rf'href="/modules/{MODULE}/quiz\?pt=', page.text):
            return page.text
    raise AssertionError("no page links the quiz")


def test_forged_binding_is_refused(tool, platform):
    browser = Browser(tool.sites, use_cookies=False)
    put = _login(platform, browser, "_parent")
    form = browser.get(_attribute(put, "data-next")).json()
    answer = browser.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"],
                                                    "lti_storage_binding": "guessed", "lti_storage_checked": "1"})
    assert answer.status_code == 401 and "<code>invalid_state</code>" in answer.text


def test_without_storage_or_cookies_the_new_tab_is_offered_before_the_platform_is_asked(tool, platform):
    """The peer, like Moodle, serves each login's lti_message_hint once (Moodle keeps the launch in its session and
    drops it at its auth endpoint). A frame that keeps no cookie is found out at login, by one redirect to the tool
    itself, so the new tab is the first to present the hint and its launch goes through."""
    iframe = Browser(tool.sites, use_cookies=False)
    iframe.headers["Sec-Fetch-Dest"] = "iframe"  # what Chromium, Firefox and Safari send for a frame's navigation
    start = iframe.get(f"{platform.url}/start", params={"scenario": "ok", "user": "learner-1", "locale": "fr"},
                       allow_redirects=False)
    page = iframe.get(start.headers["Location"])  # login → cookie check → the new-tab page, never the platform
    assert page.status_code == 200 and "Ouvrir dans un nouvel onglet" in page.text
    assert platform.used_hints == set()
    link = html.unescape(re.search(r'href="([^"]+)" target="_blank" rel="noopener"', page.text).group(1))
    assert link.startswith(tool.url + "/lti/login?") and "lti_storage_target" not in link
    top_level = tool.browser()  # a new tab: the tool's cookies are first-party there
    form = top_level.get(link).json()
    launched = top_level.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]},
                              allow_redirects=False)
    assert landing(launched) == f"/modules/{MODULE}"
    assert top_level.get(link).status_code == 400  # the same login again: the platform refuses its used hint


def test_a_frame_that_keeps_the_cookie_goes_on_to_the_platform(tool, platform):
    """Partitioned cookies over HTTPS, or a same-site LMS: the check passes and the launch happens in the frame."""
    frame = tool.browser()
    frame.headers["Sec-Fetch-Dest"] = "iframe"
    start = frame.get(f"{platform.url}/start", params={"scenario": "ok", "user": "learner-1", "locale": "fr"},
                      allow_redirects=False)
    login = frame.get(start.headers["Location"], allow_redirects=False)
    assert login.status_code == 303 and "/lti/login/check?state=" in login.headers["Location"]
    form = frame.get(tool.url + login.headers["Location"]).json()
    launched = frame.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]},
                          allow_redirects=False)
    assert landing(launched) == f"/modules/{MODULE}"


def test_an_unknown_login_check_is_a_clear_401(tool):
    answer = tool.browser().get(tool.url + "/lti/login/check?state=made-up")
    assert answer.status_code == 401 and "<code>invalid_state</code>" in answer.text


def test_a_tampered_or_foreign_session_token_opens_no_session(tool, platform):
    browser, answer = _launch_with_storage(tool, platform)
    location = landing(answer)
    assert browser.get(tool.url + location).status_code == 200
    assert browser.get(tool.url + location[:-3] + "xyz").status_code == 401
    assert browser.get(tool.url + location.split("?")[0]).status_code == 401
