// Shared by the campaign pages: the page's own config, UI text in both languages, error display.
import { pageConfig as readPageConfig } from "geoplatform/config.js";
import { lang } from "geoplatform/i18n/index.js";
import { showError, hideError } from "geoplatform/ui/dom.js";

export const pageConfig = readPageConfig();

const TEXT = {
  ko: { vote: "공감하기", unvote: "공감 취소", meToo: "나도 원해요", takeBack: "요청 취소", sent: "보냈습니다. 고맙습니다!",
        proposed: "제안을 올렸습니다.", answered: "답변을 공개했습니다." },
  en: { vote: "Vote", unvote: "Withdraw vote", meToo: "Me too", takeBack: "Take back", sent: "Sent. Thank you!",
        proposed: "Your proposal is up.", answered: "The answer is public." },
};

export function text(key) {
  return (TEXT[lang] || TEXT.ko)[key];
}

/** Run an API call from a control: disable it meanwhile, show the server's message on failure. */
export async function act(control, errorBox, work) {
  control.disabled = true;
  if (errorBox) hideError(errorBox);
  try {
    return await work();
  } catch (error) {
    if (errorBox) showError(errorBox, error);
    return undefined;
  } finally {
    control.disabled = false;
  }
}
